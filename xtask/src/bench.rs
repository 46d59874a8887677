//! `cargo xtask bench [--quick]`: our client against tonic-web-wasm-client, connect-web and
//! raw `fetch`, in headless Chromium, against the real server and a replay server.
//!
//! The contenders are built (release), assembled with the harness (`bench/harness`) into
//! one directory, and served to Chromium from a loopback port. The page runs a warm-up round
//! (which also records the replay server's responses) and then the measured rounds, each
//! contender interleaved with the others, and posts its figures back; the statistics and
//! the reports (`target/bench/report.md`, `report.json`, `chart.svg`) are made here.
//! The page is served cross-origin isolated so that `performance.now()` resolves a unary
//! call's latency; it reports whether it was, and the resolution it saw, into the report.
//! `--quick` runs one short round with small workloads: it keeps the harness from rotting
//! in CI, and its figures mean little. `--profile` also samples the page's CPU over the
//! DevTools protocol and writes where each contender's time went (see `profile`).

mod connect;
mod http;
mod npm;
mod page;
mod profile;
mod replay;
mod report;
mod site;
pub(crate) mod size;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::server::Server;
use crate::setup::{self, Env, Needs};
use crate::toolchain::WASM;
use crate::ui::{self, note, step};
use crate::{process, Result};

use report::Report;

const USAGE: &str = "usage: cargo xtask bench [--quick] [--rounds N] [--only WORKLOAD]... [--profile] [--sizes-only]\n  \
    --rounds N       measured rounds (default 5; --quick: 1)\n  \
    --only WORKLOAD  only the workloads whose name contains WORKLOAD (repeatable), and no\n                   \
    memory stream: a focused run while optimising, not a report to quote\n  \
    --profile        also take a CPU profile of the page (target/bench/profile.cpuprofile)\n                   \
    and say where each contender's time went (profile.md); slows the run\n  \
    --sizes-only     only the size table's rows for the Rust apps and connect-web, printed:\n                   \
    no server, no page (a minute or two while cutting bytes)";

/// The workload sizes and rounds of one run.
struct Plan {
    quick: bool,
    rounds: u32,
    /// JSON for the page: sequential calls, calls in flight, 1 MiB calls, stream lengths.
    sizes: &'static str,
    memory_bytes: u64,
    time_limit: Duration,
}

const FULL: Plan = Plan {
    quick: false,
    rounds: 5,
    sizes: r#"{"seq": 1000, "concurrent": 1000, "big": 16, "big_stream": 1000, "first_streams": 100, "small_stream": 100000, "text_stream": 200}"#,
    memory_bytes: 1 << 30,
    time_limit: Duration::from_secs(40 * 60),
};

const QUICK: Plan = Plan {
    quick: true,
    rounds: 1,
    sizes: r#"{"seq": 30, "concurrent": 64, "big": 2, "big_stream": 32, "first_streams": 5, "small_stream": 2000, "text_stream": 16}"#,
    memory_bytes: 32 << 20,
    time_limit: Duration::from_secs(5 * 60),
};

/// A Rust contender: (name in the report, crate, directory in the site).
const RUST_CONTENDERS: &[(&str, &str, &str)] = &[
    ("ours", "bench-ours", "ours"),
    ("tonic-web-wasm-client", "bench-tonic-web", "tonic-web"),
];

/// Runs the benchmarks.
pub fn run(args: &[String]) -> Result {
    let mut plan = &FULL;
    let mut rounds = None;
    let mut only: Vec<String> = Vec::new();
    let mut profiled = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--quick" => plan = &QUICK,
            "--rounds" => {
                let n = rest.next().and_then(|n| n.parse::<u32>().ok());
                rounds = Some(n.filter(|&n| n > 0).ok_or(USAGE)?);
            }
            "--only" => only.push(rest.next().ok_or(USAGE)?.clone()),
            "--profile" => profiled = true,
            "--sizes-only" => return size::only(),
            _ => return Err(USAGE.into()),
        }
    }
    let rounds = rounds.unwrap_or(plan.rounds);
    let env = setup::ensure(Needs {
        browser: true,
        node: true,
        wasm_pack: true,
        ..Needs::default()
    })?;
    let out = crate::host_target_dir().join("bench");
    let site_dir = out.join("site");
    let _ = std::fs::remove_dir_all(&site_dir);
    std::fs::create_dir_all(&site_dir).map_err(|e| format!("{}: {e}", site_dir.display()))?;

    let server_bin = step("build the server (release)", || {
        process::run(
            env.cargo_host()
                .args(["build", "--release", "--package", "server"]),
        )?;
        Ok(crate::host_target_dir().join("release").join("server"))
    })?;

    let mut report = Report::default();
    report.contenders.extend(report::FLOORS.map(String::from));
    for (name, krate, dir) in RUST_CONTENDERS {
        let built = step(&format!("build contender {name} (release wasm)"), || {
            build_wasm(&env, krate, &site_dir.join(dir), profiled)
        });
        match built {
            Ok(()) => report.contenders.push(name.to_string()),
            Err(e) => report.missing.push((name.to_string(), e)),
        }
    }
    let connect_built = step("build contender connect-web (npm, buf, esbuild)", || {
        connect::build(&env, &site_dir)
    });
    let npm_built = match connect_built {
        Ok(()) => {
            report.contenders.push("connect-web".into());
            step(
                "build contenders from our npm package (cargo xtask npm, esbuild)",
                || npm::build(&env, &site_dir),
            )
        }
        Err(e) => {
            report.missing.push(("connect-web".into(), e));
            Err("needs connect-web's packages and generated code".into())
        }
    };
    for name in [npm::BYTES, npm::CONNECT, npm::BATCHES] {
        match &npm_built {
            Ok(()) => report.contenders.push(name.into()),
            Err(e) => report.missing.push((name.into(), e.clone())),
        }
    }
    // The minimal apps: measured here, and run once by the page so the bytes are known to work.
    let mut minimal = Vec::new();
    for (name, built, dir) in size::rust_apps(&env, &site_dir, true)? {
        match built {
            Ok(app) => {
                size::keep(&mut report.sizes, &name, app.shipped, app.unbundled);
                minimal.push(format!("./{dir}/{}", app.module));
            }
            Err(e) => note(format!("no size for {name}: {e}")),
        }
    }
    let bundle = site_dir.join("minimal-connect.js");
    if bundle.is_file() {
        report.sizes.push(size::measure(
            "connect-web",
            "JS bundle (esbuild --bundle --minify)",
            &[bundle],
        )?);
        minimal.push("./minimal-connect.js".into());
    }
    if npm_built.is_ok() {
        report.sizes.push(npm::minimal_size(&site_dir)?);
        minimal.push(format!("./{}/minimal.js", npm::MINIMAL_DIR));
    }
    page::copy_harness(&site_dir)?;

    let tonic = Server::start(&server_bin, &["--listen", "127.0.0.1:0", "--dev"])?;
    let replay = replay::Replay::start(&tonic.url)?;
    let site = site::Site::start(&site_dir)?;
    let config = format!(
        "{{\"only\": [{}], \"quick\": {}, \"rounds\": {}, \"servers\": {{\"tonic\": {:?}, \"replay\": {:?}}}, \"contenders\": [{}], \"sizes\": {}, \"memory_bytes\": {}, \"minimal\": [{}]}}\n",
        only.iter()
            .map(|o| format!("{o:?}"))
            .collect::<Vec<_>>()
            .join(", "),
        plan.quick,
        rounds,
        tonic.url,
        replay.url,
        report
            .contenders
            .iter()
            .map(|c| format!("{c:?}"))
            .collect::<Vec<_>>()
            .join(", "),
        plan.sizes,
        plan.memory_bytes,
        minimal
            .iter()
            .map(|m| format!("{m:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    std::fs::write(site_dir.join("config.json"), &config).map_err(|e| e.to_string())?;

    let rows = step("run the harness in headless Chromium", || {
        page::run_page(
            &env,
            &site,
            plan.time_limit,
            profiled.then_some(out.as_path()),
        )
    })?;
    let (count, bytes) = replay.recorded();
    note(format!(
        "replay server: {count} recorded responses, {:.1} MiB",
        bytes as f64 / (1 << 20) as f64
    ));
    report::parse(&rows, &mut report)?;
    report.meta.insert(
        0,
        (
            "command".into(),
            std::iter::once("cargo xtask bench")
                .chain(args.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" "),
        ),
    );
    report.meta.push((
        "rounds".into(),
        format!(
            "{rounds} measured after 1 warm-up, contenders interleaved within each workload and server, their order rotated by one each round"
        ),
    ));
    if profiled {
        report.meta.push((
            "profiled".into(),
            "yes: the CPU profiler ran throughout (profile.md), so every figure is slower than unprofiled".into(),
        ));
    }
    report.meta.push((
        "servers".into(),
        "tonic = our server (release build, HTTP/1.1, cross-origin with CORS); replay = recorded replies of that server written at once".into(),
    ));
    // Only this run's figures: findings of earlier runs, with their dates and commands, are
    // kept in bench/FINDINGS.md, never copied here where they would contradict the tables.
    let history = "\nEarlier runs' findings, dated and with their commands: `bench/FINDINGS.md`.\n";
    report.write(&out, history)?;
    note(format!("wrote {}", out.join("report.md").display()));
    println!("\n{}", report.markdown(""));
    ui::summary("bench");
    // The full run reports a contender that could not be built, or a page that was not
    // isolated, and goes on; the quick run is CI's guard against the harness rotting, so
    // there either fails.
    if plan.quick && !report.missing.is_empty() {
        let names: Vec<&str> = report.missing.iter().map(|(n, _)| n.as_str()).collect();
        return Err(format!("contenders not built: {}", names.join(", ")));
    }
    page::check_isolated(&report, plan.quick)
}

/// Builds `krate` for wasm32 (release) and runs wasm-bindgen into `dest`; `named` keeps the
/// functions' names (the release profile strips them), for a profile to show.
fn build_wasm(env: &Env, krate: &str, dest: &Path, named: bool) -> Result {
    let mut cargo = env.cargo_wasm();
    if named {
        cargo.env("CARGO_PROFILE_RELEASE_STRIP", "false");
    }
    process::run(cargo.args(["build", "--release", "--target", WASM, "--package", krate]))?;
    let wasm = wasm_target_dir(env)
        .join(WASM)
        .join("release")
        .join(format!("{}.wasm", krate.replace('-', "_")));
    process::run(
        env.command("wasm-bindgen")
            .args(["--target", "web", "--out-dir"])
            .arg(dest)
            .arg(&wasm),
    )
}

fn wasm_target_dir(env: &Env) -> PathBuf {
    env.toolchain
        .wasm_target_dir
        .clone()
        .unwrap_or_else(crate::host_target_dir)
}
