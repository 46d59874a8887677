fn main() -> Result<(), Box<dyn std::error::Error>> {
    grpc_web_wasm_build::compile_protos(&["hello/v1/greeter.proto"], &["../proto"])?;
    Ok(())
}
