//! The connect-web contender and its minimal app, built with Node tools from npm
//! (bench/connect/package.json, pinned by its package-lock.json): `npm ci`, code generated
//! by protoc-gen-es run through buf (both from npm), bundles made by esbuild.

use std::path::{Path, PathBuf};

use crate::setup::Env;
use crate::{process, Result};

fn dir() -> PathBuf {
    crate::root().join("bench").join("connect")
}

/// The esbuild that [`build`] installs, which bundles every contender's JS.
pub fn esbuild() -> PathBuf {
    dir().join("node_modules").join(".bin").join("esbuild")
}

/// Installs the locked packages (unless the installed tree matches the lockfile), generates the
/// code and bundles the contender into `site/connect.js` and the minimal app, minified, into
/// `site/minimal-connect.js`.
pub fn build(env: &Env, site: &Path) -> Result {
    let dir = dir();
    // Install again only when the lockfile is newer than the installed tree. Not `npm ci`:
    // the registry reachable here lacks buf's macOS and Windows binaries, so the lockfile
    // cannot list them, and `npm ci` refuses a lockfile missing optional packages.
    // `npm install --no-save` installs the locked versions and leaves the lockfile alone.
    let modified = |p: PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let installed = modified(dir.join("node_modules").join(".package-lock.json"));
    let fresh = installed.is_some() && installed >= modified(dir.join("package-lock.json"));
    if !fresh {
        process::run(env.command("npm").current_dir(&dir).args([
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
        ]))?;
    }
    let bin = dir.join("node_modules").join(".bin");
    let _ = std::fs::remove_dir_all(dir.join("gen"));
    process::run(
        env.command(&bin.join("buf").to_string_lossy())
            .current_dir(&dir)
            .args([
                "generate",
                "../../proto",
                "--path",
                "../../proto/grpc/testing",
            ]),
    )?;
    for (entry, out) in [
        ("src/connect.js", "connect.js"),
        ("src/minimal.js", "minimal-connect.js"),
    ] {
        process::run(
            env.command(&esbuild().to_string_lossy())
                .current_dir(&dir)
                .arg(entry)
                .args(super::size::BUNDLE_ARGS)
                .arg(format!("--outfile={}", site.join(out).display())),
        )?;
    }
    Ok(())
}
