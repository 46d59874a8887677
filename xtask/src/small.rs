//! The smallest wasm builds: std rebuilt from source with `-Zbuild-std` and panics that
//! abort at once (`-Cpanic=immediate-abort`), which drops std's panic formatting and the
//! code it keeps alive, and no panic locations (`-Zlocation-detail=none`: file names that
//! an aborting panic never prints). All are nightly-only, so this needs a nightly toolchain with the
//! `rust-src` component; where there is none (and rustup cannot fetch it), builds fall back
//! to the stable configuration and say so. Measured in `bench/FINDINGS.md`.
//!
//! Applied to what the project ships (the npm package, the demo) and to the bench's
//! minimal apps. `GRPC_WEB_WASM_SMALL=0` turns it off, to compare or to rule it out.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::process;
use crate::ui::note;

/// The toolchain rustup calls nightly; its exact version is part of every note.
const NIGHTLY: &str = "nightly";

/// A nightly toolchain able to rebuild std for wasm32.
#[derive(Debug, Clone)]
pub struct Small {
    /// `rustc -V` of that nightly.
    pub version: String,
}

/// The configuration a build gets: the smallest, or the stable fallback.
#[derive(Debug, Clone)]
pub enum Build {
    /// Nightly, build-std, immediate-abort.
    Small(Small),
    /// The project's stable wasm toolchain, std as shipped.
    Stable,
}

impl Build {
    /// The smallest configuration this machine can do, set up once per run.
    pub fn detect() -> Build {
        if std::env::var("GRPC_WEB_WASM_SMALL").is_ok_and(|v| v == "0") {
            note("GRPC_WEB_WASM_SMALL=0: wasm builds use the stable toolchain's std");
            return Build::Stable;
        }
        match Small::find() {
            Ok(small) => {
                note(format!(
                    "smallest wasm builds: {} with -Zbuild-std and -Cpanic=immediate-abort",
                    small.version
                ));
                Build::Small(small)
            }
            Err(why) => {
                note(format!(
                    "smallest wasm builds unavailable ({why}): using the stable toolchain's std"
                ));
                Build::Stable
            }
        }
    }

    /// Words for a report: which configuration built an artifact.
    pub fn describe(&self) -> String {
        match self {
            Build::Small(s) => format!("build-std + immediate-abort ({})", s.version),
            Build::Stable => "stable std".into(),
        }
    }

    /// Points a cargo, trunk or wasm-pack command (already set up for the stable wasm
    /// toolchain) at this configuration. `target_dir` keeps nightly's artifacts apart, or
    /// every switch between compilers would rebuild everything.
    pub fn apply<'c>(&self, cmd: &'c mut Command, target_dir: &Path) -> &'c mut Command {
        if let Build::Small(_) = self {
            let mut flags = std::env::var("RUSTFLAGS").unwrap_or_default();
            if !flags.is_empty() {
                flags.push(' ');
            }
            // Panics abort without a word, so the file names and lines kept for their
            // messages are dead weight: `-Zlocation-detail=none` drops them.
            flags.push_str("-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none");
            cmd.env("RUSTUP_TOOLCHAIN", NIGHTLY)
                .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
                .env("RUSTFLAGS", flags)
                .env("CARGO_TARGET_DIR", target_dir);
        }
        cmd
    }
}

impl Small {
    fn find() -> Result<Small, String> {
        let version = process::output(
            Command::new("rustc")
                .env("RUSTUP_TOOLCHAIN", NIGHTLY)
                .arg("-V"),
        )
        .map(|v| v.trim().to_string())
        .ok_or("no nightly toolchain")?;
        if !has_rust_src() {
            let mut add = Command::new("rustup");
            add.args(["component", "add", "rust-src", "--toolchain", NIGHTLY]);
            let added = process::run_with_timeout(&mut add, Duration::from_secs(120))?;
            if !added || !has_rust_src() {
                return Err(format!(
                    "{version} has no rust-src and rustup could not add it"
                ));
            }
        }
        // Not needed by cargo with build-std, but wasm-pack checks that the sysroot has it.
        if !has_wasm_target() {
            let mut add = Command::new("rustup");
            add.args([
                "target",
                "add",
                crate::toolchain::WASM,
                "--toolchain",
                NIGHTLY,
            ]);
            let added = process::run_with_timeout(&mut add, Duration::from_secs(120))?;
            if !added || !has_wasm_target() {
                return Err(format!(
                    "{version} has no wasm32 target and rustup could not add it"
                ));
            }
        }
        Ok(Small { version })
    }
}

/// `-Zbuild-std` reads std's sources from the toolchain's `rust-src` component.
fn has_rust_src() -> bool {
    process::output(
        Command::new("rustc")
            .env("RUSTUP_TOOLCHAIN", NIGHTLY)
            .args(["--print", "sysroot"]),
    )
    .map(|root| PathBuf::from(root.trim()).join("lib/rustlib/src/rust/library/std/Cargo.toml"))
    .is_some_and(|p| p.is_file())
}

fn has_wasm_target() -> bool {
    process::output(
        Command::new("rustc")
            .env("RUSTUP_TOOLCHAIN", NIGHTLY)
            .args([
                "--print",
                "target-libdir",
                "--target",
                crate::toolchain::WASM,
            ]),
    )
    .is_some_and(|dir| Path::new(dir.trim()).is_dir())
}
