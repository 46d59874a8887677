//! Compiles the descriptors of the `google.rpc` error details into the demo, so the
//! Explorer decodes a reply's details whatever the server's schema holds: reflection lists
//! only the files its services import, and `error_details.proto` is rarely among them.

use std::path::PathBuf;

const PROTOS: &[&str] = &["google/rpc/error_details.proto"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../proto");
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={}", root.join(proto).display());
    }
    let set = protox::compile(PROTOS, [&root])?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("rpc_details.binpb");
    std::fs::write(out, prost::Message::encode_to_vec(&set))?;
    Ok(())
}
