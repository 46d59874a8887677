//! Generated code for the project's protobuf contracts.
//!
//! Message types are always built (prost); the `server` feature adds tonic
//! server stubs (and transport-agnostic tonic clients, for the server's tests)
//! and [`FILE_DESCRIPTOR_SET`] for reflection.

/// `demo.v1`: the demo services.
pub mod demo {
    /// Version 1 of the demo API: users, live scores, chat.
    pub mod v1 {
        #![allow(missing_docs)]
        include!(concat!(env!("OUT_DIR"), "/demo.v1.rs"));
    }
}

/// `grpc.*`: gRPC's own test contracts.
pub mod grpc {
    /// `grpc.testing`: the standard interoperability test service and its messages.
    pub mod testing {
        #![allow(missing_docs)]
        include!(concat!(env!("OUT_DIR"), "/grpc.testing.rs"));
    }
}

/// `google.*`: Google's shared API types.
pub mod google {
    /// `google.rpc`: the rich error model (`Status` and the detail messages such as
    /// `BadRequest`) carried in `grpc-status-details-bin`.
    pub mod rpc {
        #![allow(missing_docs)]
        include!(concat!(env!("OUT_DIR"), "/google.rpc.rs"));
    }
}

/// The encoded `FileDescriptorSet` of every compiled .proto file and their imports.
#[cfg(feature = "server")]
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/file_descriptor_set.bin"));
