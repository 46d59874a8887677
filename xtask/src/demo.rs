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
        // wasm-opt is binaryen.js, run by Node (`build_ui`).
        node: true,
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

/// Builds the UI into `dist/` with trunk (configured by `Trunk.toml`), and the Explorer's
/// bundle into `dist/explorer/` (it is loaded only on its page: see `demo-app/src/app.rs`).
/// Trunk finds binaryen's `wasm-opt` ([`crate::tools::WASM_OPT`]) on its PATH and runs it on
/// wasm-bindgen's output (`data-wasm-opt` in `demo-app/index.html`): it strips the module
/// there, so the cargo profile need not, and wasm-bindgen still sees the module's
/// `target_features` section (stripped, it warns on every build).
pub fn build_ui(env: &Env) -> Result {
    let wasm_opt = step("wasm-opt (binaryen from npm)", || {
        crate::tools::WASM_OPT.ensure(&env.path)
    })?;
    let bin = wasm_opt.parent().ok_or("wasm-opt has no directory")?;
    let path = std::env::join_paths(
        std::iter::once(bin.to_path_buf()).chain(std::env::split_paths(&env.path)),
    )
    .map_err(|e| e.to_string())?;
    // The smallest configuration this machine can build (nightly build-std), or stable.
    let build = crate::small::Build::detect();
    let small_target = crate::host_target_dir().join("small");
    step("build the demo UI (trunk build --release)", || {
        let mut trunk = env.command("trunk");
        env.toolchain.for_wasm(&mut trunk);
        build.apply(&mut trunk, &small_target);
        run_refusing(
            trunk.env("PATH", &path).args(["build", "--release"]),
            UNWANTED_WARNING,
        )
    })?;
    // After the main build, which empties dist/.
    step(
        "build the Explorer's bundle (trunk build --release demo-app/explorer.html)",
        || {
            let mut trunk = env.command("trunk");
            env.toolchain.for_wasm(&mut trunk);
            build.apply(&mut trunk, &small_target);
            let dist = crate::root().join("dist").join("explorer");
            run_refusing(
                trunk
                    .env("PATH", &path)
                    // `--release` takes an optional value: the target goes first.
                    .args(["build", "demo-app/explorer.html", "--release", "--dist"])
                    .arg(&dist)
                    .args(["--public-url", "/explorer/"]),
                UNWANTED_WARNING,
            )
        },
    )
}

/// What wasm-bindgen prints when the module lost its `target_features` section: a build
/// must not print it (a user can do nothing about it).
const UNWANTED_WARNING: &str = "target_features";

/// Runs `cmd`, passing its output through as it comes, and fails if it exits non-zero or
/// any line contains `forbidden`.
pub(crate) fn run_refusing(cmd: &mut Command, forbidden: &str) -> Result {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    note(format!("$ {}", process::show(cmd)));
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start `{}`: {e}", process::show(cmd)))?;
    let watch = |stream: Box<dyn std::io::Read + Send>, to_stderr: bool| {
        let forbidden = forbidden.to_string();
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            for line in BufReader::new(stream).lines().map_while(|l| l.ok()) {
                if to_stderr {
                    eprintln!("{line}");
                } else {
                    println!("{line}");
                }
                if line.contains(&forbidden) {
                    seen.push(line);
                }
            }
            seen
        })
    };
    let out = watch(Box::new(child.stdout.take().expect("piped")), false);
    let err = watch(Box::new(child.stderr.take().expect("piped")), true);
    let status = child.wait().map_err(|e| e.to_string())?;
    let mut seen = out.join().unwrap_or_default();
    seen.extend(err.join().unwrap_or_default());
    if !status.success() {
        return Err(format!("`{}` failed ({status})", process::show(cmd)));
    }
    if !seen.is_empty() {
        return Err(format!(
            "the build printed a warning it must not ({forbidden}):\n{}",
            seen.join("\n")
        ));
    }
    Ok(())
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
                    // The Explorer's test calls grpc.testing.TestService on the page's server.
                    "--interop",
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
            let descriptors = write_descriptors(&shots)?;
            process::run(
                env.command("node")
                    .current_dir(&dir)
                    .args(["--test", "--test-reporter=spec"])
                    .args(["demo.test.mjs", "explorer.test.mjs"])
                    .env("DEMO_URL", &server.url)
                    .env("CHROMIUM", chromium)
                    .env("CHROMIUM_ARGS", format!("[{}]", flags.join(",")))
                    .env("SCREENSHOTS", &shots)
                    // For the tests that start servers of their own (a restart; no reflection).
                    .env("SERVER_BIN", binary)
                    .env("DIST", &dist)
                    .env("DESCRIPTORS", &descriptors),
            )?;
            note(format!("screenshots: {}", shots.join("*.png").display()));
            Ok(())
        },
    )
}

/// The .proto files of the descriptor set the Explorer test drops onto the page.
const E2E_PROTOS: &[&str] = &["demo/v1/users.proto", "grpc/testing/test.proto"];

/// Writes the descriptor set (with imports and comments) of [`E2E_PROTOS`] into `dir`,
/// as `protoc --include_imports --include_source_info` would; returns its path.
fn write_descriptors(dir: &Path) -> Result<std::path::PathBuf> {
    use prost::Message as _;
    let set = protox::Compiler::new([crate::root().join("proto")])
        .map_err(|e| e.to_string())?
        .include_imports(true)
        .include_source_info(true)
        .open_files(E2E_PROTOS)
        .map_err(|e| format!("compiling {}: {e}", E2E_PROTOS.join(", ")))?
        .file_descriptor_set();
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join("demo.binpb");
    std::fs::write(&path, set.encode_to_vec())
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(path)
}
