//! `cargo xtask demo`: builds the Leptos UI with trunk and serves it together with the
//! gRPC-Web API from one origin, until Ctrl-C.

use crate::server::Server;
use crate::setup::{self, Needs};
use crate::ui::step;
use crate::{process, Result};

/// Builds and serves the demo; `args` may hold `--port N`.
pub fn run(args: &[String]) -> Result {
    let port = match args {
        [] => 8080,
        [flag, n] if flag == "--port" => {
            n.parse::<u16>().map_err(|e| format!("--port {n}: {e}"))?
        }
        _ => return Err("usage: cargo xtask demo [--port N]".into()),
    };
    let env = setup::ensure(Needs {
        trunk: true,
        ..Needs::default()
    })?;

    step("build the demo UI (trunk build --release)", || {
        let mut trunk = env.command("trunk");
        env.toolchain.for_wasm(&mut trunk);
        process::run(trunk.args(["build", "--release"]))
    })?;
    step("build the server", || {
        process::run(
            env.cargo_host()
                .args(["build", "--release", "--package", "server"]),
        )
    })?;

    let binary = crate::root().join("target/release/server");
    let listen = format!("127.0.0.1:{port}");
    let dist = crate::root().join("dist");
    let dist = dist.to_string_lossy();
    let server = Server::start(
        &binary,
        &["--listen", &listen, "--dev", "--static-dir", &dist],
    )
    .map_err(|e| format!("{e} (is port {port} taken? try `cargo xtask demo --port N`)"))?;
    println!(
        "\n  demo: {url}/   (the UI; the gRPC-Web API is on the same origin)\n  try:  {url}/demo.v1.UserService/GetUser with a gRPC-Web frame, see README.md\n  stop: Ctrl-C\n",
        url = server.url
    );
    server.wait()
}
