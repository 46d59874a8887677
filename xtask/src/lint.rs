//! `cargo xtask lint`: formatting, clippy with warnings denied for both targets, and the
//! published crates' docs with warnings denied.

use crate::setup::{self, Needs};
use crate::toolchain::WASM;
use crate::ui::{self, step};
use crate::{process, Result};

/// The crates that are built for the browser.
const WASM_CRATES: &[&str] = &[
    "grpc-web-wasm",
    "browser-tests",
    "proto",
    "demo-app",
    "bench-driver",
    "bench-ours",
    "bench-tonic-web",
    "minimal-ours",
    "minimal-tonic-web",
    "minimal-floor",
];

/// Runs every lint.
pub fn run() -> Result {
    let env = setup::ensure(Needs::default())?;
    step("cargo fmt --check", || {
        process::run(env.cargo_host().args(["fmt", "--all", "--", "--check"]))
    })?;
    step("clippy (host)", || {
        process::run(env.cargo_host().args([
            "clippy",
            "--workspace",
            "--all-targets",
            // Optional parts that nothing else turns on.
            "--features",
            "grpc-web-wasm/tonic,grpc-web-wasm/js,grpc-web-wasm/js-dynamic",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    // The minimal build's cfg branches (short errors, no text mode), tests included.
    step("clippy (host: the client without default features)", || {
        process::run(env.cargo_host().args([
            "clippy",
            "--package",
            "grpc-web-wasm",
            "--no-default-features",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    step("clippy (wasm32)", || {
        let mut cmd = env.cargo_wasm();
        cmd.args(["clippy", "--target", WASM, "--all-targets"]);
        cmd.args([
            "--features",
            "grpc-web-wasm/tonic,grpc-web-wasm/js,grpc-web-wasm/js-dynamic",
        ]);
        for krate in WASM_CRATES {
            cmd.args(["--package", krate]);
        }
        process::run(cmd.args(["--", "-D", "warnings"]))
    })?;
    // The npm package's two modules are built apart: each feature alone must be clean too
    // (code only the other one uses would be dead); and so must the client without defaults,
    // and with the browser's gzip instead of flate2 (as the npm modules and the browser_gzip
    // suite build it).
    step(
        "clippy (wasm32: features js, js-dynamic alone; no default features; browser-gzip)",
        || {
            for (package, features) in [
                ("grpc-web-wasm", &["--features", "js"][..]),
                ("grpc-web-wasm", &["--features", "js-dynamic"]),
                ("grpc-web-wasm", &["--no-default-features"]),
                (
                    "grpc-web-wasm",
                    &["--no-default-features", "--features", "js"],
                ),
                (
                    "browser-tests",
                    &[
                        "--tests",
                        "--no-default-features",
                        "--features",
                        "browser-gzip",
                    ],
                ),
            ] {
                process::run(
                    env.cargo_wasm()
                        .args(["clippy", "--target", WASM, "--package", package])
                        .args(features)
                        .args(["--", "-D", "warnings"]),
                )?;
            }
            Ok(())
        },
    )?;
    step(
        "clippy (the quickstart in examples/, its own workspace)",
        || {
            let quickstart = crate::root().join("examples").join("quickstart");
            let mut server = env.cargo_host();
            server
                .current_dir(&quickstart)
                .env("CARGO_TARGET_DIR", crate::host_target_dir())
                .args([
                    "clippy",
                    "--package",
                    "hello-server",
                    "--",
                    "-D",
                    "warnings",
                ]);
            process::run(&mut server)?;
            let mut app = env.cargo_wasm();
            app.current_dir(&quickstart);
            if env.toolchain.wasm_target_dir.is_none() {
                app.env("CARGO_TARGET_DIR", crate::host_target_dir());
            }
            process::run(app.args([
                "clippy",
                "--package",
                "hello-web",
                "--target",
                WASM,
                "--",
                "-D",
                "warnings",
            ]))?;
            process::run(
                env.cargo_host()
                    .current_dir(&quickstart)
                    .args(["fmt", "--all", "--", "--check"]),
            )
        },
    )?;
    step("cargo doc, warnings denied (published crates)", || {
        let deny = |cmd: &mut std::process::Command| {
            cmd.env("RUSTDOCFLAGS", "-D warnings");
        };
        // The client as docs.rs builds it: every feature, for wasm32.
        let mut client = env.cargo_wasm();
        deny(&mut client);
        process::run(client.args([
            "doc",
            "--no-deps",
            "--target",
            WASM,
            "--package",
            "grpc-web-wasm",
            "--all-features",
        ]))?;
        let mut host = env.cargo_host();
        deny(&mut host);
        process::run(host.args([
            "doc",
            "--no-deps",
            "--package",
            "grpc-web-wasm-build",
            "--package",
            "grpc-websockets",
        ]))
    })?;
    ui::summary("lint");
    Ok(())
}
