fn main() -> Result<(), Box<dyn std::error::Error>> {
    // protox compiles the .proto in Rust, so no system protoc is needed.
    let fds = protox::compile(["hello/v1/greeter.proto"], ["../proto"])?;
    tonic_prost_build::configure()
        .build_client(false)
        .compile_fds(fds)?;
    Ok(())
}
