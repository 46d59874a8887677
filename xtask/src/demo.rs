//! `cargo xtask demo`: builds the Leptos UI with trunk and serves it together with the
//! gRPC-Web API from one origin, until Ctrl-C.

use std::process::Command;

use crate::setup::{self, Env, Needs};
use crate::ui::{note, step};
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

    build_ui(&env)?;
    step("build the server", || {
        process::run(
            env.cargo_host()
                .args(["build", "--release", "--package", "server"]),
        )
    })?;

    let binary = crate::host_target_dir().join("release").join("server");
    let dist = crate::root().join("dist");
    let mut server = Command::new(&binary);
    server
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--dev",
            "--static-dir",
        ])
        .arg(&dist);
    println!(
        "\n  demo: http://127.0.0.1:{port}/   (the UI; the gRPC-Web API is on the same origin)\n  \
         try:  a hand-made GetUser request, see README.md\n  stop: Ctrl-C\n"
    );
    run_in_place(server)
}

/// Builds the UI into `dist/` with trunk (configured by `Trunk.toml`).
pub fn build_ui(env: &Env) -> Result {
    step("build the demo UI (trunk build --release)", || {
        let mut trunk = env.command("trunk");
        env.toolchain.for_wasm(&mut trunk);
        process::run(trunk.args(["build", "--release"]))
    })
}

/// Becomes the server (Unix `exec`), so Ctrl-C or a kill reaches it directly and no
/// orphaned server can outlive this command.
#[cfg(unix)]
fn run_in_place(mut server: Command) -> Result {
    use std::os::unix::process::CommandExt;
    note(format!("$ {}", process::show(&server)));
    let e = server.exec();
    Err(format!("cannot start the server: {e}"))
}

#[cfg(not(unix))]
fn run_in_place(mut server: Command) -> Result {
    process::run(&mut server)
}
