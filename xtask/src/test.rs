//! `cargo xtask test`: every test. Native tests first (fast, and they need no browser),
//! then the browser tests in headless Chromium against a real server process.

use std::time::Duration;

use crate::server::{self, Server};
use crate::setup::{self, Needs};
use crate::toolchain::WASM;
use crate::ui::{self, step};
use crate::{process, Result};

/// Per-test time limit in the browser, generous for a loaded 2-core CI machine.
const BROWSER_TEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs every test.
pub fn run() -> Result {
    let env = setup::ensure(Needs {
        browser: true,
        ..Needs::default()
    })?;

    step("native tests (cargo test --workspace)", || {
        process::run(env.cargo_host().args(["test", "--workspace"]))
    })?;

    step("build the server", || {
        process::run(env.cargo_host().args(["build", "--package", "server"]))
    })?;
    let binary = crate::root().join("target/debug/server");

    step("browser tests (headless Chromium, real server)", || {
        let server = Server::start(&binary, &["--listen", "127.0.0.1:0", "--dev"])?;
        // Admits one origin that is not the test page's: for the CORS-refusal test.
        let strict = Server::start(
            &binary,
            &[
                "--listen",
                "127.0.0.1:0",
                "--allow-origin",
                "https://app.example.com",
            ],
        )?;
        let driver = env.chromedriver.as_ref().ok_or("no chromedriver")?;
        let mut cmd = env.cargo_wasm();
        cmd.args([
            "test",
            "--package",
            "grpc-web-wasm",
            "--target",
            WASM,
            "--test",
            "web",
        ])
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .env("CHROMEDRIVER", driver)
        .env(
            "WASM_BINDGEN_TEST_TIMEOUT",
            BROWSER_TEST_TIMEOUT.as_secs().to_string(),
        )
        .env("GRPC_WEB_TEST_SERVER", &server.url)
        .env("GRPC_WEB_TEST_STRICT_SERVER", &strict.url)
        .env("GRPC_WEB_TEST_DEAD_SERVER", server::dead_url()?);
        // Both servers stop when dropped, after the run.
        process::run(&mut cmd)
    })?;

    ui::summary("test");
    Ok(())
}
