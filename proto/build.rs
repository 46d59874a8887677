//! Compiles the .proto files with protox (pure Rust), so no system `protoc` is needed.

use std::path::PathBuf;

use prost_build::ServiceGenerator;

/// Every .proto file that gets code, relative to the crate root (the include root).
const PROTOS: &[&str] = &[
    "demo/v1/users.proto",
    "demo/v1/scores.proto",
    "demo/v1/chat.proto",
    "demo/v1/telemetry.proto",
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

    let server = feature("SERVER");
    if server {
        std::fs::write(
            out_dir.join("file_descriptor_set.bin"),
            prost::Message::encode_to_vec(&fds),
        )?;
    }
    // tonic: server stubs for the server, and clients (transport-agnostic), for the server's
    // own native gRPC tests and for tonic clients in the browser (feature `tonic-client`).
    let tonic = (server || feature("TONIC_CLIENT")).then(|| {
        tonic_prost_build::configure()
            .build_client(true)
            .build_transport(false)
            .build_server(server)
            .service_generator()
    });
    // grpc-web-wasm clients (feature `client`). Every generator runs in one pass, so all
    // see the same message types.
    let services: Option<Box<dyn ServiceGenerator>> = if feature("CLIENT") {
        let web = grpc_web_wasm_build::ServiceGenerator::new();
        Some(Box::new(match tonic {
            Some(tonic) => web.alongside(tonic),
            None => web,
        }))
    } else {
        tonic
    };
    let mut config = prost_build::Config::new();
    // `prost::Name` for every message: rich error details (`Any`) are matched by type name.
    config.enable_type_names();
    // `bytes` fields as `Bytes`: decoding slices the received frame instead of copying.
    config.bytes(["."]);
    if let Some(services) = services {
        config.service_generator(services);
    }
    config.compile_fds(fds)?;
    Ok(())
}

/// Whether the crate is built with `feature` (upper case, `-` as `_`).
fn feature(feature: &str) -> bool {
    std::env::var_os(format!("CARGO_FEATURE_{feature}")).is_some()
}
