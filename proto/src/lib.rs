//! Generated code for the project's protobuf contracts.
//!
//! Message types are always built (prost); the `server` feature adds tonic
//! server stubs and [`FILE_DESCRIPTOR_SET`] for reflection.

/// `demo.v1`: the demo services.
pub mod demo {
    /// Version 1 of the demo API.
    pub mod v1 {
        #![allow(missing_docs)]
        include!(concat!(env!("OUT_DIR"), "/demo.v1.rs"));
    }
}

/// The encoded `FileDescriptorSet` of every compiled .proto file.
#[cfg(feature = "server")]
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/file_descriptor_set.bin"));
