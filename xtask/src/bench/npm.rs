//! The contenders from our npm package, as a JavaScript user gets them: the bytes API
//! (`GrpcWebClient`) and connect-es over our transport (`createGrpcWebWasmTransport`) with the
//! connect-web contender's generated code and app. The packed tarball (`cargo xtask npm`) is
//! installed into `bench/connect` beside connect-web's packages, and bundled by esbuild.

use std::path::Path;

use super::report::Size;
use super::size;
use crate::setup::Env;
use crate::{process, Result};

/// The contenders' names in the report.
pub const BYTES: &str = "ours, npm bytes API";
pub const CONNECT: &str = "connect-es over ours";
/// The bytes API's streams read with `batches()`: streams only (its unary calls are the
/// bytes API's).
pub const BATCHES: &str = "ours, npm bytes API, batches";

/// Where the minimal app goes in the site (its bundle, and the wasm module beside it).
pub const MINIMAL_DIR: &str = "minimal-connect-ours";

/// Packs the package, installs it into `bench/connect` (whose packages and generated code
/// [`super::connect::build`] made) and bundles each contender (`site/npm-bytes.js`,
/// `site/npm-connect.js`, `site/npm-batches.js`) and the minimal app (`site/minimal-connect-ours/`), each with the
/// wasm module beside it.
pub fn build(env: &Env, site: &Path) -> Result {
    let package = crate::npm::build(env)?;
    let dir = crate::root().join("bench").join("connect");
    process::run(
        crate::www::npm(env, &dir)
            .args(["install", "--no-save", "--no-audit", "--no-fund"])
            .arg(&package.tarball),
    )?;
    let esbuild = super::connect::esbuild();
    // One bundle per contender, so that a profile tells their samples apart by script.
    for (entry, out) in [
        ("src/npm.js", site.join("npm-bytes.js")),
        ("src/npm.js", site.join("npm-connect.js")),
        ("src/npm.js", site.join("npm-batches.js")),
        (
            "src/minimal-npm.js",
            site.join(MINIMAL_DIR).join("minimal.js"),
        ),
    ] {
        process::run(
            env.command(&esbuild.to_string_lossy())
                .current_dir(&dir)
                .arg(entry)
                .args(super::size::BUNDLE_ARGS)
                .args(["--loader:.wasm=file", "--asset-names=[name]"])
                .arg(format!("--outfile={}", out.display())),
        )?;
    }
    Ok(())
}

/// The minimal app's size: its bundle and the package's wasm module.
pub fn minimal_size(site: &Path) -> Result<Size> {
    let dir = site.join(MINIMAL_DIR);
    size::measure(
        CONNECT,
        "JS bundle (esbuild --bundle --minify) + the package's wasm (wasm-opt -Oz)",
        &[dir.join("minimal.js"), dir.join("grpc_web_wasm_bg.wasm")],
    )
}
