//! Compiles the .proto files with protox (pure Rust), so no system `protoc` is needed.

use std::path::PathBuf;

/// Every .proto file that gets code, relative to the crate root (the include root).
const PROTOS: &[&str] = &[
    "demo/v1/users.proto",
    "demo/v1/scores.proto",
    "demo/v1/chat.proto",
    "grpc/testing/empty.proto",
    "grpc/testing/messages.proto",
    "grpc/testing/test.proto",
    "google/rpc/status.proto",
    "google/rpc/error_details.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    let fds = protox::compile(PROTOS, ["."])?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);

    if std::env::var_os("CARGO_FEATURE_SERVER").is_some() {
        // Messages and server stubs in one pass, so both see the same types.
        std::fs::write(
            out_dir.join("file_descriptor_set.bin"),
            prost::Message::encode_to_vec(&fds),
        )?;
        // Clients too (transport-agnostic), for the server's own native gRPC tests.
        tonic_prost_build::configure()
            .build_client(true)
            .build_transport(false)
            .build_server(true)
            .compile_fds(fds)?;
    } else {
        prost_build::Config::new().compile_fds(fds)?;
    }
    Ok(())
}
