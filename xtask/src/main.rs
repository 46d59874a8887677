//! `cargo xtask`: the project's developer commands. Each command first runs the part of
//! the setup it needs, so every command works on a fresh machine.

mod bench;
mod demo;
mod examples;
mod fixture;
mod fleet;
mod fuzz;
mod lint;
mod loopback;
mod msrv;
mod npm;
mod process;
mod redis;
mod server;
mod setup;
mod size;
mod small;
mod soak;
mod test;
mod test_servers;
mod toolchain;
mod tools;
mod ui;
mod www;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  setup           install everything every command needs (idempotent, cached)
  test            run every test: native (cargo test --workspace) and in headless Chromium
                  [--only native|browser|npm|examples|demo] [--suite PACKAGE/TEST]... to run a part
  test-servers    start the servers the browser suites call and print their variables,
                  for running one suite by hand with wasm-pack test (browser-tests/README.md)
  npm             build the npm package (wasm-pack, feature js) and pack it into target/npm
  demo [--port N] build the Leptos demo, serve it and the gRPC-Web API on 127.0.0.1:N (8080)
  lint            cargo fmt --check, clippy -D warnings for the host and wasm32, and
                  cargo doc with warnings denied for the published crates
  msrv            check each published crate with the Rust its rust-version declares
                  (rustup installs the toolchains; skips where it cannot)
  soak            a release server under N streams plus mixed unary calls for a while,
                  printing its memory and errors [--secs N (60)] [--streams N (50)]
  fleet           N demo server replicas behind nginx (xtask/fleet/nginx.conf) on loopback,
                  with a control URL that kills or restarts them, until Enter [--replicas N (3)]
  fuzz            run each cargo-fuzz target in fuzz/ briefly (needs nightly; skips
                  without it) [--secs N (30)]
  bench [--quick] benchmarks in headless Chromium: ours vs other clients and raw fetch
                  (target/bench/report.md); --quick: one short round, for CI;
                  [--rounds N] [--only WORKLOAD]... [--profile] for focused runs
  size            what the minimal app links beyond the floor app, by crate and by our
                  modules (twiggy, names kept) [--rows N (30)]
";

/// A failure that ends the command, with the message to print.
pub type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(),
        Some("test") => test::run(&args[1..]),
        Some("demo") => demo::run(&args[1..]),
        Some("test-servers") => test_servers::run(),
        Some("npm") => npm::run(),
        Some("lint") => lint::run(),
        Some("msrv") => msrv::run(),
        Some("bench") => bench::run(&args[1..]),
        Some("size") => size::run(&args[1..]),
        Some("soak") => soak::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("fleet") => fleet::run(&args[1..]),
        Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown or missing command\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
}

/// Where host builds go: `CARGO_TARGET_DIR` if set, else the workspace's `target/`.
pub fn host_target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root().join(dir)
            }
        })
        .unwrap_or_else(|| root().join("target"))
}

/// Where installed tools are cached across checkouts: `$GRPC_WEB_WASM_CACHE`, else
/// `$XDG_CACHE_HOME/grpc-web-wasm`, else `~/.cache/grpc-web-wasm`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("GRPC_WEB_WASM_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/root".into())).join(".cache")
        });
    base.join("grpc-web-wasm")
}
