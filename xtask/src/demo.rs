//! `cargo xtask demo`: builds the Leptos UI with trunk and serves it together with the
//! gRPC-Web API from one origin, until Ctrl-C.

use std::path::Path;
use std::process::Command;

use crate::server::Server;
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

/// The end-to-end test (demo-app/e2e): the release bundle served by the server `binary`
/// as `cargo xtask demo` serves it, driven by Playwright in headless Chromium. Screenshots
/// of every page go to `<target>/e2e/`.
pub fn e2e(env: &Env, binary: &Path) -> Result {
    let dir = crate::root().join("demo-app").join("e2e");
    step(
        "demo e2e: npm ci (playwright-core, no browser download)",
        || {
            process::run(crate::www::npm(env, &dir).args([
                "ci",
                "--prefer-offline",
                "--no-audit",
                "--no-fund",
            ]))
        },
    )?;
    step(
        "demo e2e: every page in headless Chromium (Playwright)",
        || {
            let dist = crate::root().join("dist");
            let server = Server::start(
                binary,
                &[
                    "--listen",
                    "127.0.0.1:0",
                    "--static-dir",
                    &dist.to_string_lossy(),
                ],
            )?;
            let chromium = crate::tools::which("chromium").ok_or("chromium is not on PATH")?;
            let flags: Vec<String> = crate::test::CHROMIUM_FLAGS
                .iter()
                .map(|f| format!("{f:?}"))
                .collect();
            let shots = crate::host_target_dir().join("e2e");
            process::run(
                env.command("node")
                    .current_dir(&dir)
                    .args(["--test", "--test-reporter=spec", "demo.test.mjs"])
                    .env("DEMO_URL", &server.url)
                    .env("CHROMIUM", chromium)
                    .env("CHROMIUM_ARGS", format!("[{}]", flags.join(",")))
                    .env("SCREENSHOTS", &shots),
            )?;
            note(format!("screenshots: {}", shots.join("*.png").display()));
            Ok(())
        },
    )
}
