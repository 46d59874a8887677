//! The servers the browser suites call, started together: `cargo xtask test` starts them
//! for its run, and `cargo xtask test-servers` starts them for a suite run by hand with
//! `wasm-pack test` (browser-tests/README.md), printing the variables to export.

use std::path::Path;

use crate::fixture::Fixture;
use crate::server::{self, Server};
use crate::setup::{self, Env, Needs};
use crate::{process, Result};

/// The running set; every process stops when this is dropped.
pub struct TestServers {
    server: Server,
    strict: Server,
    dead: String,
    fault: Fixture,
}

impl TestServers {
    /// Starts the dev-mode server, a strict one that admits one other origin (for the
    /// CORS-refusal test), a dead address and the misbehaving peer.
    pub fn start(binary: &Path) -> Result<TestServers> {
        let server = Server::start(binary, &["--listen", "127.0.0.1:0", "--dev"])?;
        let strict = Server::start(
            binary,
            &[
                "--listen",
                "127.0.0.1:0",
                "--allow-origin",
                "https://app.example.com",
            ],
        )?;
        Ok(TestServers {
            server,
            strict,
            dead: server::dead_url()?,
            fault: Fixture::start()?,
        })
    }

    /// The build-time variables the suites read (`option_env!`), with their values.
    pub fn vars(&self) -> [(&'static str, &str); 4] {
        [
            ("GRPC_WEB_TEST_SERVER", &self.server.url),
            ("GRPC_WEB_TEST_STRICT_SERVER", &self.strict.url),
            ("GRPC_WEB_TEST_DEAD_SERVER", &self.dead),
            ("GRPC_WEB_TEST_FAULT_SERVER", &self.fault.url),
        ]
    }
}

/// The browser suites through the command every wasm developer knows,
/// `wasm-pack test --headless --chrome`, with Debian's chromedriver and nothing downloaded:
/// it builds every test target of `browser-tests`, so a second copy of the client linked
/// into any of them fails it (as it did while the suites lived in the client's package).
/// It runs `suite`, the shortest, against `servers`, with the other suites' `webdriver`
/// capabilities (Chromium's flags and the page-load limit).
pub fn wasm_pack_test(
    env: &Env,
    servers: &TestServers,
    driver: &Path,
    webdriver: &Path,
    suite: &str,
) -> Result {
    let mut cmd = env.command("wasm-pack");
    env.toolchain.for_wasm(&mut cmd);
    cmd.args(["test", "--headless", "--chrome", "--mode", "no-install"])
        .args(["browser-tests", "--test", suite])
        .env("CHROMEDRIVER", driver)
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", webdriver)
        .envs(servers.vars());
    // Through the same runner as the other suites: the same stall can hit its page.
    crate::test::run_suite(&mut cmd)
}

/// `cargo xtask test-servers`: builds the server, starts the set, prints the `export`
/// lines for a shell, and keeps them running until Enter (which stops them cleanly) or
/// Ctrl-C (which reaches the whole process group in a terminal).
pub fn run() -> Result {
    let env = setup::ensure(Needs::default())?;
    process::run(env.cargo_host().args(["build", "--package", "server"]))?;
    let binary = crate::host_target_dir().join("debug").join("server");
    let servers = TestServers::start(&binary)?;
    println!(
        "\nThe browser suites' servers are running. In another shell, from the repository root:\n"
    );
    for (name, value) in servers.vars() {
        println!("export {name}={value}");
    }
    println!(
        "CHROMEDRIVER=/usr/bin/chromedriver wasm-pack test --headless --chrome browser-tests --test web\n\nstop: Enter or Ctrl-C"
    );
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    drop(servers);
    Ok(())
}
