//! `cargo xtask msrv`: each published crate builds with the oldest Rust it declares
//! (`rust-version` in its Cargo.toml), against the locked dependencies, for the targets
//! its users build for. The toolchains come from rustup; where rustup cannot reach its
//! server the check says it skipped, and clippy's `incompatible_msrv` lint (in
//! `cargo xtask lint`, which reads the same `rust-version`) still catches std APIs that are
//! newer than declared.

use std::process::Command;
use std::time::Duration;

use crate::toolchain::WASM;
use crate::ui::{self, note, step};
use crate::{process, Result};

/// One check: a package, with features, for a target, on the Rust its manifest declares
/// (or on `version` when a feature needs more than the crate does).
struct Check {
    package: &'static str,
    manifest: &'static str,
    features: &'static str,
    target: Option<&'static str>,
    version: Option<&'static str>,
}

const CHECKS: &[Check] = &[
    Check {
        package: "grpc-web-wasm-build",
        manifest: "codegen/Cargo.toml",
        features: "",
        target: None,
        version: None,
    },
    Check {
        package: "grpc-web-wasm",
        manifest: "client/Cargo.toml",
        features: "gzip,js,js-dynamic",
        target: Some(WASM),
        version: None,
    },
    // Feature `tonic` needs what tonic declares (0.14.9: 1.88), as the README says.
    Check {
        package: "grpc-web-wasm",
        manifest: "client/Cargo.toml",
        features: "tonic",
        target: Some(WASM),
        version: Some("1.88"),
    },
    Check {
        package: "grpc-websockets",
        manifest: "grpc-websockets/Cargo.toml",
        features: "",
        target: None,
        version: None,
    },
];

/// Runs every check.
pub fn run() -> Result {
    for check in CHECKS {
        let version = match check.version {
            Some(v) => v.to_owned(),
            None => declared(check.manifest)?,
        };
        let features = match check.features {
            "" => String::new(),
            some => format!(" (features {some})"),
        };
        let what = format!("{}{features} with Rust {version}", check.package);
        step(&format!("msrv: {what}"), || {
            if !install(&version)? {
                note(format!(
                    "skipped: rustup could not install {version}; clippy's incompatible_msrv \
                     lint still checks std APIs against rust-version"
                ));
                return Ok(());
            }
            let mut cmd = Command::new("cargo");
            cmd.env("RUSTUP_TOOLCHAIN", &version)
                .env("CARGO_TARGET_DIR", crate::host_target_dir().join("msrv"))
                .current_dir(crate::root())
                .args(["check", "--locked", "--package", check.package]);
            if !check.features.is_empty() {
                cmd.args(["--features", check.features]);
            }
            if let Some(target) = check.target {
                cmd.args(["--target", target]);
            }
            process::run(&mut cmd)
        })?;
    }
    ui::summary("msrv");
    Ok(())
}

/// The `rust-version` a manifest declares.
fn declared(manifest: &str) -> Result<String> {
    let path = crate::root().join(manifest);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .map(|v| v.trim().trim_matches('"').to_owned())
        .ok_or_else(|| format!("{manifest} declares no rust-version"))
}

/// Makes `version` (with the wasm32 std) available; `false` if rustup cannot.
fn install(version: &str) -> Result<bool> {
    let listed =
        process::output(Command::new("rustup").args(["toolchain", "list"])).unwrap_or_default();
    let has_wasm = || {
        process::output(Command::new("rustup").args([
            "target",
            "list",
            "--installed",
            "--toolchain",
            version,
        ]))
        .is_some_and(|t| t.lines().any(|l| l == WASM))
    };
    if listed
        .lines()
        .any(|l| l.starts_with(&format!("{version}-")))
        && has_wasm()
    {
        return Ok(true);
    }
    process::run_with_timeout(
        Command::new("rustup").args([
            "toolchain",
            "install",
            version,
            "--profile",
            "minimal",
            "--target",
            WASM,
        ]),
        Duration::from_secs(300),
    )
}
