//! `cargo xtask fuzz [--secs N]`: runs each cargo-fuzz target in `fuzz/` for N seconds
//! (default 30). cargo-fuzz needs a nightly toolchain (sanitizers, `-Z` flags): without
//! one the command says so and succeeds, so it can sit in scripts on any machine.
//!
//! Each target starts from its committed seeds (`fuzz/seeds/TARGET`: regression inputs
//! from past findings among them) and grows its corpus in `fuzz/corpus/TARGET`, which is
//! not committed. A crash leaves its input in `fuzz/artifacts/TARGET` and fails the run.
//! The build goes to the tool cache, per nightly version, so CI's fresh checkouts reuse it.

use std::ffi::OsString;
use std::process::Command;

use crate::tools::CargoTool;
use crate::ui::{note, step};
use crate::{process, Result};

const USAGE: &str = "usage: cargo xtask fuzz [--secs N]";
/// cargo-fuzz, built with the default toolchain, cached like the other tools.
const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// The targets, as named in `fuzz/Cargo.toml`.
pub const TARGETS: &[&str] = &[
    "client_frame",
    "client_trailers_status",
    "client_metadata",
    "client_timeout",
    "server_request",
];

/// Runs the command.
pub fn run(args: &[String]) -> Result {
    let mut secs = 30u64;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--secs" => {
                secs = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("--secs wants a positive number\n{USAGE}"))?;
            }
            _ => return Err(USAGE.into()),
        }
    }
    let nightly = process::output(
        Command::new("rustc")
            .env("RUSTUP_TOOLCHAIN", "nightly")
            .arg("--version"),
    );
    let Some(nightly) = nightly else {
        note("fuzz: skipped: no nightly toolchain (cargo-fuzz needs one; `rustup toolchain install nightly`)");
        return Ok(());
    };
    note(format!("fuzzing with {nightly}"));
    let bin_dir = step("cargo-fuzz", || {
        CargoTool {
            krate: "cargo-fuzz",
            bin: "cargo-fuzz",
            version: CARGO_FUZZ_VERSION.into(),
            locked: true,
            toolchain: None,
        }
        .ensure()
    })?;
    let mut path = OsString::from(bin_dir.as_os_str());
    if let Some(old) = std::env::var_os("PATH") {
        path.push(":");
        path.push(old);
    }
    let fuzz = crate::root().join("fuzz");
    // Built outside the checkout, per nightly, so a fresh checkout (CI) reuses the build.
    let target_dir = crate::cache_dir().join("fuzz-target").join(
        nightly
            .split_whitespace()
            .nth(1)
            .unwrap_or("nightly")
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "-"),
    );
    for target in TARGETS {
        step(&format!("fuzz {target} for {secs} s"), || {
            let corpus = fuzz.join("corpus").join(target);
            std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
            process::run(
                Command::new("cargo")
                    .current_dir(&fuzz)
                    .env("PATH", &path)
                    .env("RUSTUP_TOOLCHAIN", "nightly")
                    .env_remove("CARGO_TARGET_DIR")
                    .args(["fuzz", "run", target, "--target-dir"])
                    .arg(&target_dir)
                    .arg(&corpus)
                    .arg(fuzz.join("seeds").join(target))
                    .args([
                        "--".to_string(),
                        format!("-max_total_time={secs}"),
                        // A stuck input fails the run rather than hanging it.
                        "-timeout=30".into(),
                        "-rss_limit_mb=4096".into(),
                    ]),
            )
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_target_is_declared_and_seeded() {
        let fuzz = crate::root().join("fuzz");
        let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).unwrap();
        for target in super::TARGETS {
            assert!(
                manifest.contains(&format!("name = \"{target}\"")),
                "{target}"
            );
            let seeds = std::fs::read_dir(fuzz.join("seeds").join(target)).unwrap();
            assert!(seeds.count() > 0, "{target} has no seeds");
            assert!(fuzz
                .join("fuzz_targets")
                .join(format!("{target}.rs"))
                .exists());
        }
    }
}
