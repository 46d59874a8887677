//! `cargo xtask setup`, and the part of it each other command needs.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use crate::toolchain::{self, Toolchain};
use crate::tools::{self, CargoTool};
use crate::ui::{self, note, step};
use crate::{process, Result};

/// wasm-pack builds the npm package.
const WASM_PACK_VERSION: &str = "0.15.1";
/// trunk 0.22 needs rustc >= 1.96.1 (newer than stable here): built with a toolchain that
/// has it, else the newest trunk that builds with what there is.
const TRUNK_VERSION: &str = "0.22.1";
const TRUNK_MIN_RUSTC: (u32, u32, u32) = (1, 96, 1);
const TRUNK_FALLBACK_VERSION: &str = "0.21.14";

/// What a command needs beyond the wasm toolchain and wasm-bindgen, which all need.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    /// Chromium and chromedriver, for browser tests.
    pub browser: bool,
    /// wasm-pack, for the npm package.
    pub wasm_pack: bool,
    /// trunk, for the demo UI.
    pub trunk: bool,
    /// Node.js and npm, for the npm package and the www/ app.
    pub node: bool,
}

/// Everything set up: how to run builds and tools.
#[derive(Debug, Clone)]
pub struct Env {
    /// The compilers to use.
    pub toolchain: Toolchain,
    /// PATH with the cached tools in front.
    pub path: OsString,
    /// The chromedriver to drive Chromium with.
    pub chromedriver: Option<PathBuf>,
}

impl Env {
    /// `program` with the tools' PATH.
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("PATH", &self.path).current_dir(crate::root());
        c
    }

    /// `cargo` for host builds, on the pinned host toolchain.
    pub fn cargo_host(&self) -> Command {
        let mut c = self.command("cargo");
        self.toolchain.for_host(&mut c);
        c
    }

    /// `cargo` for wasm32 builds, on the pinned wasm toolchain.
    pub fn cargo_wasm(&self) -> Command {
        let mut c = self.command("cargo");
        self.toolchain.for_wasm(&mut c);
        c
    }

    /// Shrinks a wasm-bindgen output module in place with `wasm_opt`
    /// ([`tools::WASM_OPT`]) at `-Oz`.
    pub fn wasm_opt(&self, wasm_opt: &std::path::Path, module: &std::path::Path) -> Result {
        process::run(
            self.command(&wasm_opt.to_string_lossy())
                .arg("-Oz")
                // Which compilers built it: of no use to a page (52 B gzipped of the
                // minimal app; the demo's trunk build strips it too).
                .arg("--strip-producers")
                .args(WASM_FEATURES)
                .arg(module)
                .arg("-o")
                .arg(module),
        )
    }
}

/// The wasm features rustc enables by default for wasm32-unknown-unknown. wasm-opt cannot
/// read them from our modules, whose `target_features` section `strip` removes.
pub(crate) const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-multivalue",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-sign-ext",
];

/// `cargo xtask setup`: everything, with a timing summary.
pub fn run() -> Result {
    ensure(Needs {
        browser: true,
        wasm_pack: true,
        trunk: true,
        node: true,
    })?;
    ui::summary("setup");
    Ok(())
}

/// Sets up what `needs` asks for, each step idempotent and checked before it acts.
pub fn ensure(needs: Needs) -> Result<Env> {
    let toolchain = step("wasm32 toolchain", toolchain::ensure)?;
    let mut dirs = Vec::new();

    let wasm_bindgen = CargoTool {
        krate: "wasm-bindgen-cli",
        bin: "wasm-bindgen",
        version: tools::locked_version("wasm-bindgen")?,
        // Its lockfile pins a webpki-roots release this registry lacks (TOOLCHAIN.md).
        locked: false,
        toolchain: Some(toolchain.host.clone()),
    };
    dirs.push(step("wasm-bindgen-cli", || wasm_bindgen.ensure())?);

    if needs.wasm_pack {
        let wasm_pack = CargoTool {
            krate: "wasm-pack",
            bin: "wasm-pack",
            version: WASM_PACK_VERSION.into(),
            locked: true,
            toolchain: Some(toolchain.host.clone()),
        };
        dirs.push(step("wasm-pack", || wasm_pack.ensure())?);
    }
    if needs.trunk {
        let trunk = step("trunk", || trunk_tool(&toolchain).ensure())?;
        dirs.push(trunk);
    }
    if needs.node {
        step("node + npm", ensure_node)?;
    }
    let chromedriver = if needs.browser {
        Some(step("chromium + chromedriver", ensure_browser)?)
    } else {
        None
    };
    Ok(Env {
        toolchain,
        path: tools::path_with(&dirs),
        chromedriver,
    })
}

fn trunk_tool(toolchain: &Toolchain) -> CargoTool {
    let candidates = ["nightly", toolchain.host.as_str()];
    let capable = candidates
        .iter()
        .find(|tc| rustc_version(tc).is_some_and(|v| v >= TRUNK_MIN_RUSTC));
    match capable {
        Some(tc) => CargoTool {
            krate: "trunk",
            bin: "trunk",
            version: TRUNK_VERSION.into(),
            locked: true,
            toolchain: Some(tc.to_string()),
        },
        None => {
            note(format!(
                "no toolchain has rustc >= {}.{}.{} for trunk {TRUNK_VERSION}: using trunk {TRUNK_FALLBACK_VERSION}",
                TRUNK_MIN_RUSTC.0, TRUNK_MIN_RUSTC.1, TRUNK_MIN_RUSTC.2
            ));
            CargoTool {
                krate: "trunk",
                bin: "trunk",
                version: TRUNK_FALLBACK_VERSION.into(),
                locked: true,
                toolchain: Some(toolchain.host.clone()),
            }
        }
    }
}

/// `rustc +toolchain --version` as (major, minor, patch).
fn rustc_version(toolchain: &str) -> Option<(u32, u32, u32)> {
    let out = process::output(
        Command::new("rustc")
            .env("RUSTUP_TOOLCHAIN", toolchain)
            .arg("--version"),
    )?;
    let version = out.split_whitespace().nth(1)?;
    let mut parts = version.split(['.', '-']).map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

/// Debian's Chromium and chromedriver (same version, always) unless both are on PATH.
fn ensure_browser() -> Result<PathBuf> {
    if let (Some(_), Some(driver)) = (tools::which("chromium"), tools::which("chromedriver")) {
        note(format!("chromium and {} present", driver.display()));
        return Ok(driver);
    }
    tools::apt_install(&["chromium", "chromium-driver"])?;
    tools::which("chromedriver").ok_or_else(|| "chromedriver is still not on PATH".into())
}

/// Oldest Node.js the www/ tests run on (built-in fetch and test runner; Debian 12 has 18).
const NODE_MIN_MAJOR: u32 = 18;

/// Node.js and npm: those on PATH, else Debian's packages.
fn ensure_node() -> Result {
    if tools::which("node").is_none() || tools::which("npm").is_none() {
        tools::apt_install(&["nodejs", "npm"])?;
    }
    let version = process::output(Command::new("node").arg("--version"))
        .ok_or("node is not on PATH after installing it")?;
    let major = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok());
    if major.is_none_or(|m| m < NODE_MIN_MAJOR) {
        return Err(format!(
            "node {version} is too old: want {NODE_MIN_MAJOR} or newer"
        ));
    }
    let npm = process::output(Command::new("npm").arg("--version")).ok_or("npm does not run")?;
    note(format!("node {version}, npm {npm}"));
    Ok(())
}
