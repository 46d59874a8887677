//! The Rust toolchain that builds for `wasm32-unknown-unknown`, found or made once.
//!
//! In order (../shared/TOOLCHAIN.md): the active rustup toolchain if it has the wasm32 std;
//! else `rustup target add` (it reaches its server on some machines); else Debian's
//! `rustc-web` with a wasm32 std built once from `rust-web-src` into its sysroot, linked into
//! rustup as the toolchain `debian`. Every build xtask runs then names the chosen toolchain
//! in `RUSTUP_TOOLCHAIN`, so all of them see the same compiler.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::process;
use crate::ui::note;

/// The wasm target triple.
pub const WASM: &str = "wasm32-unknown-unknown";

/// The toolchain chosen for the project's builds.
#[derive(Debug, Clone)]
pub struct Toolchain {
    /// The rustup toolchain name for wasm32 builds.
    pub wasm: String,
    /// The rustup toolchain name for host builds.
    pub host: String,
    /// Set when the two differ: wasm builds get their own target dir, or every switch
    /// between compilers would rebuild everything.
    pub wasm_target_dir: Option<PathBuf>,
}

impl Toolchain {
    /// Points `cmd` (a cargo or trunk invocation) at the wasm toolchain.
    pub fn for_wasm<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        cmd.env("RUSTUP_TOOLCHAIN", &self.wasm);
        if let Some(dir) = &self.wasm_target_dir {
            cmd.env("CARGO_TARGET_DIR", dir);
        }
        cmd
    }

    /// Points `cmd` at the host toolchain.
    pub fn for_host<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        cmd.env("RUSTUP_TOOLCHAIN", &self.host)
    }
}

/// Finds or makes a toolchain with the wasm32 std.
pub fn ensure() -> crate::Result<Toolchain> {
    let host = active_toolchain()?;
    let force_debian = std::env::var_os("WASM_FORCE_DEBIAN").is_some();
    if !force_debian {
        if has_wasm_std(&host) {
            note(format!("toolchain {host} has the {WASM} std"));
            return Ok(same(host));
        }
        note(format!(
            "toolchain {host} lacks the {WASM} std: trying rustup"
        ));
        let mut add = Command::new("rustup");
        add.args(["target", "add", WASM, "--toolchain", &host]);
        if process::run_with_timeout(&mut add, Duration::from_secs(120))? && has_wasm_std(&host) {
            note(format!("installed the {WASM} std with rustup"));
            return Ok(same(host));
        }
        note("rustup could not provide it: falling back to Debian's rustc-web");
    } else {
        note("WASM_FORCE_DEBIAN is set: using Debian's rustc-web");
    }
    debian_fallback()?;
    Ok(Toolchain {
        wasm: "debian".into(),
        host,
        wasm_target_dir: Some(crate::root().join("target").join("debian")),
    })
}

fn same(name: String) -> Toolchain {
    Toolchain {
        wasm: name.clone(),
        host: name,
        wasm_target_dir: None,
    }
}

/// The toolchain rustup would use here (honours `RUSTUP_TOOLCHAIN` and override files).
fn active_toolchain() -> crate::Result<String> {
    let out = process::output(Command::new("rustup").args(["show", "active-toolchain"]))
        .ok_or("`rustup show active-toolchain` failed: is rustup installed?")?;
    out.split_whitespace()
        .next()
        .map(str::to_string)
        .ok_or_else(|| "rustup reports no active toolchain".to_string())
}

fn has_wasm_std(toolchain: &str) -> bool {
    let Some(dir) = process::output(
        Command::new("rustc")
            .env("RUSTUP_TOOLCHAIN", toolchain)
            .args(["--print", "target-libdir", "--target", WASM]),
    ) else {
        return false;
    };
    has_std_rlib(Path::new(&dir))
}

fn has_std_rlib(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("libstd-") && name.ends_with(".rlib")
        })
    })
}

/// Debian's sysroot, where the self-built std goes so rustc and wasm-pack find it unaided.
const DEBIAN_SYSROOT_LIB: &str = "/usr/lib/rustlib/wasm32-unknown-unknown/lib";

/// rustc-web/cargo-web: Debian's Rust; rust-web-src: the std sources for -Zbuild-std;
/// lld-22: /usr/bin/rust-lld (from rust-web-llvm) links to it but nothing pulls it in;
/// rust-web-clippy: `cargo xtask lint` for wasm32.
const DEBIAN_PACKAGES: &[&str] = &[
    "rustc-web",
    "cargo-web",
    "rust-web-src",
    "rust-web-llvm",
    "lld-22",
    "rust-web-clippy",
];

fn debian_fallback() -> crate::Result {
    if has_wasm_std("debian") {
        note("linked toolchain `debian` already has the wasm32 std");
        return Ok(());
    }
    crate::tools::apt_install(DEBIAN_PACKAGES)?;
    if !has_std_rlib(Path::new(DEBIAN_SYSROOT_LIB)) {
        build_debian_std()?;
    }
    let linked = process::output(Command::new("rustup").args(["toolchain", "list"]))
        .is_some_and(|list| list.lines().any(|l| l.starts_with("debian")));
    if !linked {
        process::run(Command::new("rustup").args(["toolchain", "link", "debian", "/usr"]))?;
    }
    if has_wasm_std("debian") {
        Ok(())
    } else {
        Err(format!(
            "the Debian toolchain still has no {WASM} std in {DEBIAN_SYSROOT_LIB}"
        ))
    }
}

/// Builds std for wasm32 once with Debian's cargo (`-Zbuild-std`) and copies it into the
/// sysroot. `-Cembed-bitcode=yes` keeps bitcode in the rlibs so that `lto = true` works.
fn build_debian_std() -> crate::Result {
    let work = std::env::temp_dir().join(format!("grpc-web-wasm-std-{}", std::process::id()));
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    std::fs::create_dir_all(work.join("src")).map_err(|e| e.to_string())?;
    write(
        work.join("Cargo.toml"),
        "[package]\nname = \"wasm-sysroot-build\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         [lib]\ncrate-type = [\"cdylib\"]\n[profile.release]\ndebug = 0\n[workspace]\n",
    )?;
    write(
        work.join("src/lib.rs"),
        "#[no_mangle] pub extern \"C\" fn nop() {}\n",
    )?;
    // Full paths: rustup's proxies come first on PATH.
    let built = process::run(
        Command::new("/usr/bin/cargo")
            .current_dir(&work)
            .env("RUSTC", "/usr/bin/rustc")
            .env("RUSTC_BOOTSTRAP", "1")
            .env("RUSTFLAGS", "-Cembed-bitcode=yes")
            .env("CARGO_TARGET_DIR", work.join("target"))
            .env_remove("RUSTUP_TOOLCHAIN")
            .args([
                "build",
                "--release",
                "--target",
                WASM,
                "-Zbuild-std=std,panic_abort,test",
            ]),
    );
    let copied = built.and_then(|()| {
        let deps = work.join("target").join(WASM).join("release").join("deps");
        std::fs::create_dir_all(DEBIAN_SYSROOT_LIB).map_err(|e| e.to_string())?;
        for entry in std::fs::read_dir(&deps)
            .map_err(|e| e.to_string())?
            .flatten()
        {
            let path = entry.path();
            if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("rlib" | "rmeta")
            ) {
                std::fs::copy(&path, Path::new(DEBIAN_SYSROOT_LIB).join(entry.file_name()))
                    .map_err(|e| format!("copy {}: {e}", path.display()))?;
            }
        }
        Ok(())
    });
    let _ = std::fs::remove_dir_all(&work);
    copied
}
