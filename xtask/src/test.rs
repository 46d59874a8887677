//! `cargo xtask test`: every test. Native tests first (fast, and they need no browser),
//! then the browser tests in headless Chromium against real server processes, the npm
//! package, the quickstart in `examples/`, then the demo as `cargo xtask demo` builds and serves it.

use std::path::Path;
use std::process::Command;

use crate::server::{self, Server};
use crate::setup::{self, Env, Needs};
use crate::ui::{self, note, step};
use crate::{demo, examples, npm, process, www, Result};

mod browser;

use browser::browser_tests;
pub(crate) use browser::{run_suite, CHROMIUM_FLAGS};

/// Which parts to run: all by default; `--only native|browser|npm|examples|demo` and
/// `--suite PACKAGE/TEST` (a browser suite, repeatable) narrow it for quick iteration.
#[derive(Debug)]
struct Selection {
    only: Option<String>,
    suites: Vec<String>,
}

impl Selection {
    fn parse(args: &[String]) -> Result<Selection> {
        let mut selection = Selection {
            only: None,
            suites: Vec::new(),
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let value = args.next().ok_or(USAGE)?;
            match arg.as_str() {
                "--only"
                    if ["native", "browser", "npm", "examples", "demo"]
                        .contains(&value.as_str()) =>
                {
                    selection.only = Some(value.clone())
                }
                "--suite" => selection.suites.push(value.clone()),
                _ => return Err(USAGE.into()),
            }
        }
        Ok(selection)
    }

    fn wants(&self, part: &str) -> bool {
        self.only.as_deref().is_none_or(|only| only == part)
    }
}

const USAGE: &str =
    "usage: cargo xtask test [--only native|browser|npm|examples|demo] [--suite PACKAGE/TEST]...";

/// Runs every test, or the parts `args` select.
pub fn run(args: &[String]) -> Result {
    let selection = Selection::parse(args)?;
    let env = setup::ensure(Needs {
        browser: true,
        trunk: selection.wants("demo") || selection.wants("examples"),
        wasm_pack: selection.wants("npm") || selection.wants("browser"),
        node: selection.wants("npm") || selection.wants("demo"),
    })?;

    if selection.wants("native") {
        // The server's shared-store tests start a redis-server of their own.
        step(
            "redis-server (Debian's), for the shared-store tests",
            || crate::redis::ensure().map(|_| ()),
        )?;
        step("native tests (cargo test --workspace)", || {
            process::run(env.cargo_host().args(["test", "--workspace"]))
        })?;
        step(
            "the client README's examples compile (proto doctests)",
            || {
                process::run(env.cargo_host().args([
                    "test",
                    "--package",
                    "proto",
                    "--features",
                    "client,tonic-client,grpc-web-wasm/tonic",
                    "--doc",
                ]))
            },
        )?;
        // The minimal build: no gzip, short error messages, no text mode. The same decisions
        // (codes, limits, ends) must hold without the default features.
        step(
            "native tests of the client without default features",
            || {
                process::run(env.cargo_host().args([
                    "test",
                    "--package",
                    "grpc-web-wasm",
                    "--no-default-features",
                    "--lib",
                ]))
            },
        )?;
        step("native tests of the tonic feature", || {
            process::run(env.cargo_host().args([
                "test",
                "--package",
                "grpc-web-wasm",
                "--features",
                "tonic",
                "--lib",
                "tonic::",
            ]))
        })?;
    } else {
        step("build the server", || {
            process::run(env.cargo_host().args(["build", "--package", "server"]))
        })?;
    }
    // The native run built the server binary for the server's integration tests. A separate
    // `cargo build -p server` would build it again with other features (cargo test unifies
    // the dev-dependencies' features across the workspace) and then keep the two in turn.
    let binary = crate::host_target_dir().join("debug").join("server");
    if !binary.is_file() {
        return Err(format!("{} is missing after cargo test", binary.display()));
    }

    if selection.wants("browser") {
        step("browser tests (headless Chromium, real servers)", || {
            browser_tests(&env, &binary, &selection.suites)
        })?;
    }
    if selection.wants("npm") {
        step("npm: native tests of the js feature", || {
            process::run(env.cargo_host().args([
                "test",
                "--package",
                "grpc-web-wasm",
                "--features",
                "js,js-dynamic,service-config",
                "--lib",
                "--",
                "js::",
                // Service configs: read from serde_json values (feature `service-config`)
                // and, in the npm package, from JavaScript objects, by the same code.
                "protocol::retry::service_config",
            ]))
        })?;
        let package = npm::build(&env)?;
        www::test(&env, &binary, &package)?;
    }
    if selection.wants("examples") {
        examples::test(&env, &binary)?;
    }
    if selection.wants("demo") {
        demo::build_ui(&env)?;
        step("demo served and booted in Chromium", || {
            demo_smoke(&env, &binary)
        })?;
        demo::e2e(&env, &binary)?;
    }

    ui::summary("test");
    Ok(())
}

/// Serves the trunk build as `cargo xtask demo` does, checks the bundle is served with the
/// right types, and has Chromium load the page and run the app until it renders.
fn demo_smoke(env: &Env, binary: &Path) -> Result {
    let dist = crate::root().join("dist");
    let dist = dist.to_string_lossy();
    let server = Server::start(binary, &["--listen", "127.0.0.1:0", "--static-dir", &dist])?;

    let page = server::get(&server.url, "/")?;
    let html = String::from_utf8_lossy(&page.body).into_owned();
    if page.status != 200 {
        return Err(format!("GET / answered {}", page.status));
    }
    let wasm = html
        .split(['"', '\''])
        .find(|s| s.ends_with("_bg.wasm"))
        .ok_or("the page does not load a _bg.wasm module")?;
    let module = server::get(&server.url, &format!("/{}", wasm.trim_start_matches('/')))?;
    note(format!(
        "GET {wasm}: {} {}, {} bytes",
        module.status,
        module
            .content_type
            .as_deref()
            .unwrap_or("(no content-type)"),
        module.body.len()
    ));
    // Browsers compile streamed modules only when served as application/wasm.
    if module.status != 200 || module.content_type.as_deref() != Some("application/wasm") {
        return Err("the demo's wasm module is not served as application/wasm".into());
    }

    let profile =
        std::env::temp_dir().join(format!("grpc-web-wasm-chromium-{}", std::process::id()));
    let dom = process::output(
        Command::new("chromium")
            .env("PATH", &env.path)
            .args(CHROMIUM_FLAGS)
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(["--virtual-time-budget=10000", "--dump-dom"])
            .arg(format!("{}/", server.url)),
    );
    let _ = std::fs::remove_dir_all(&profile);
    let dom = dom.ok_or("chromium --dump-dom failed")?;
    if dom.contains(r#"id="title""#) && dom.contains(r#"id="lookup""#) {
        note("the page rendered the app (title and lookup button present)");
        Ok(())
    } else {
        Err(format!("the demo did not render; chromium saw:\n{dom}"))
    }
}
