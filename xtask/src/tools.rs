//! CLI tools from crates.io, installed into a per-version cache outside the checkout, and
//! Debian packages. Every tool is checked by version before anything is installed, and
//! each is configured elsewhere never to download binaries (github.com is unreachable).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process;
use crate::ui::note;

/// A binary crate to `cargo install` at a pinned version.
#[derive(Debug, Clone)]
pub struct CargoTool {
    /// The crate on crates.io.
    pub krate: &'static str,
    /// The binary whose `--version` proves the install.
    pub bin: &'static str,
    /// The exact version.
    pub version: String,
    /// `--locked`: off where the crate's own lockfile pins what this registry lacks.
    pub locked: bool,
    /// The rustup toolchain to build it with (`None`: the default).
    pub toolchain: Option<String>,
}

impl CargoTool {
    /// Its cache directory, keyed by version so an upgrade never reuses an old binary.
    fn root(&self) -> PathBuf {
        tool_root(self.krate, &self.version)
    }

    fn has_version(&self, exe: &Path) -> bool {
        process::output(Command::new(exe).arg("--version")).is_some_and(|out| {
            out.split_whitespace()
                .any(|word| word.trim_start_matches('v') == self.version)
        })
    }

    /// Makes sure the tool is installed; returns the directory holding its binary.
    pub fn ensure(&self) -> crate::Result<PathBuf> {
        let bin_dir = self.root().join("bin");
        if self.has_version(&bin_dir.join(self.bin)) {
            note(format!(
                "{} {} (cached in {})",
                self.bin,
                self.version,
                bin_dir.display()
            ));
            return Ok(bin_dir);
        }
        if let Some(found) = which(self.bin) {
            if self.has_version(&found) {
                note(format!(
                    "{} {} (on PATH: {})",
                    self.bin,
                    self.version,
                    found.display()
                ));
                return Ok(found.parent().unwrap_or(Path::new("/")).to_path_buf());
            }
        }
        note(format!(
            "installing {} {} from crates.io (takes minutes, once)",
            self.krate, self.version
        ));
        install_into(&self.root(), |staging| {
            let mut cmd = Command::new("cargo");
            if let Some(tc) = &self.toolchain {
                cmd.env("RUSTUP_TOOLCHAIN", tc);
            }
            cmd.args(["install", "--root"]).arg(staging);
            if self.locked {
                cmd.arg("--locked");
            }
            cmd.arg(format!("{}@{}", self.krate, self.version));
            // Keep cargo's temporary build dir out of the checkout's target dir.
            cmd.env_remove("CARGO_TARGET_DIR");
            process::run(&mut cmd)
        })?;
        if !self.has_version(&bin_dir.join(self.bin)) {
            return Err(format!(
                "{} installed, but `{} --version` does not say {}",
                self.krate, self.bin, self.version
            ));
        }
        Ok(bin_dir)
    }
}

/// A tool's cache directory, keyed by version so an upgrade never reuses an old install.
fn tool_root(name: &str, version: &str) -> PathBuf {
    crate::cache_dir()
        .join("tools")
        .join(format!("{name}-{version}"))
}

/// Runs `install` into a staging directory beside `root`, then renames it into place, so an
/// interrupted install never looks complete to the next run.
fn install_into(root: &Path, install: impl FnOnce(&Path) -> crate::Result) -> crate::Result {
    let staging = root.with_extension("partial");
    let _ = std::fs::remove_dir_all(&staging);
    install(&staging)?;
    let _ = std::fs::remove_dir_all(root);
    std::fs::rename(&staging, root).map_err(|e| format!("finishing install: {e}"))
}

/// The `wasm-bindgen` version in Cargo.lock: the CLI must match it exactly.
pub fn locked_version(krate: &str) -> crate::Result<String> {
    let lock_path = crate::root().join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path)
        .map_err(|e| format!("cannot read {}: {e}", lock_path.display()))?;
    let needle = format!("name = \"{krate}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == needle {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                return Ok(v.trim_matches('"').to_string());
            }
        }
    }
    Err(format!("{krate} is not in Cargo.lock"))
}

/// The first `name` on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// PATH with `dirs` in front.
pub fn path_with(dirs: &[PathBuf]) -> OsString {
    let old = std::env::var_os("PATH").unwrap_or_default();
    let all = dirs.iter().cloned().chain(std::env::split_paths(&old));
    std::env::join_paths(all).unwrap_or(old)
}

/// Installs Debian packages that are missing (`dpkg -s` first, so a second run is instant).
pub fn apt_install(packages: &[&str]) -> crate::Result {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            process::output(Command::new("dpkg-query").args(["-W", "-f=${Status}", p]))
                .is_none_or(|s| !s.ends_with("installed"))
        })
        .collect();
    if missing.is_empty() {
        note(format!("apt packages present: {}", packages.join(" ")));
        return Ok(());
    }
    note(format!("apt packages missing: {}", missing.join(" ")));
    process::run(privileged("apt-get").args(["update", "-qq"]))?;
    process::run(
        privileged("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(&missing),
    )
}

/// `program` run as root: directly when we are root, else through sudo.
fn privileged(program: &str) -> Command {
    let is_root = process::output(Command::new("id").arg("-u")).as_deref() == Some("0");
    if is_root || which("sudo").is_none() {
        Command::new(program)
    } else {
        let mut c = Command::new("sudo");
        c.arg(program);
        c
    }
}

/// A command from an npm package, installed at a pinned version into the tool cache.
#[derive(Debug, Clone, Copy)]
pub struct NpmTool {
    /// The package on npm.
    pub package: &'static str,
    /// The command it installs in `node_modules/.bin`.
    pub bin: &'static str,
    /// The exact version.
    pub version: &'static str,
}

/// Binaryen's `wasm-opt`, as binaryen.js: the optimiser compiled to wasm and run by Node.
/// Debian's binaryen is too old for the wasm features rustc emits (it breaks the modules),
/// and prebuilt binaries live on GitHub, which is unreachable here (`../shared/TOOLCHAIN.md`).
pub const WASM_OPT: NpmTool = NpmTool {
    package: "binaryen",
    bin: "wasm-opt",
    version: "132.0.0",
};

impl NpmTool {
    fn root(&self) -> PathBuf {
        tool_root(self.package, self.version)
    }

    /// `--version` mentions the version or, for packages that print only it, its major.
    fn runs(&self, exe: &Path) -> bool {
        let major = self.version.split('.').next().unwrap_or(self.version);
        process::output(Command::new(exe).arg("--version")).is_some_and(|out| {
            out.split(|c: char| !c.is_ascii_alphanumeric() && c != '.')
                .any(|w| w == self.version || w == major)
        })
    }

    /// Makes sure the command is installed (with `npm` from `path`); returns its path.
    pub fn ensure(&self, path: &OsString) -> crate::Result<PathBuf> {
        let exe = |root: &Path| root.join("node_modules").join(".bin").join(self.bin);
        if self.runs(&exe(&self.root())) {
            note(format!(
                "{} {} (cached in {})",
                self.bin,
                self.version,
                self.root().display()
            ));
            return Ok(exe(&self.root()));
        }
        note(format!(
            "installing {}@{} from npm",
            self.package, self.version
        ));
        install_into(&self.root(), |staging| {
            std::fs::create_dir_all(staging).map_err(|e| format!("{}: {e}", staging.display()))?;
            process::run(
                Command::new("npm")
                    .env("PATH", path)
                    .current_dir(staging)
                    .args(["install", "--no-audit", "--no-fund", "--prefix"])
                    .arg(staging)
                    .arg(format!("{}@{}", self.package, self.version)),
            )
        })?;
        if !self.runs(&exe(&self.root())) {
            return Err(format!(
                "{}@{} installed, but `{} --version` does not name it",
                self.package, self.version, self.bin
            ));
        }
        Ok(exe(&self.root()))
    }
}
