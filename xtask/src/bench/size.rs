//! The size comparison: a minimal app (one unary and one streaming call) per contender,
//! built for size and measured as shipped (wasm + JS glue, or the JS bundle), raw and
//! gzipped (`gzip -9`). The Rust apps go through `wasm-opt -Oz` after wasm-bindgen, as
//! wasm-pack and trunk do by default, and beside them is a floor: the same calls with bare
//! `fetch` and prost, no gRPC-Web client at all.

use std::path::Path;
use std::process::Command;

use super::report::Size;
use crate::setup::{self, Env, Needs};
use crate::small::Build;
use crate::toolchain::WASM;
use crate::ui::step;
use crate::{process, Result};

/// The Rust minimal apps: (contender, crate, directory in the site).
pub const RUST_APPS: &[(&str, &str, &str)] = &[
    ("ours", "minimal-ours", "minimal-ours"),
    (
        "tonic-web-wasm-client",
        "minimal-tonic-web",
        "minimal-tonic-web",
    ),
    (
        "floor: fetch + prost, no client",
        "minimal-floor",
        "minimal-floor",
    ),
];

/// `cargo xtask bench --sizes-only`: the size rows of the Rust minimal apps (in the
/// smallest configuration this machine builds) and connect-web's bundle, built as the full
/// run builds them and printed. The quick check while cutting bytes: it runs no server and
/// no page, so it does not prove the apps work, and leaves out the stable-std and npm rows.
pub fn only() -> Result {
    let env = setup::ensure(Needs {
        node: true,
        ..Needs::default()
    })?;
    let site = crate::host_target_dir().join("bench").join("sizes");
    let _ = std::fs::remove_dir_all(&site);
    std::fs::create_dir_all(&site).map_err(|e| format!("{}: {e}", site.display()))?;
    // First: it installs the esbuild that bundles every app's JS.
    step(
        "build connect-web's minimal app (npm, buf, esbuild)",
        || super::connect::build(&env, &site),
    )?;
    let mut sizes = Vec::new();
    for (name, built, _) in rust_apps(&env, &site, false)? {
        let app = built?;
        keep(&mut sizes, &name, app.shipped, app.unbundled);
    }
    sizes.push(measure(
        "connect-web",
        "JS bundle (esbuild --bundle --minify)",
        &[site.join("minimal-connect.js")],
    )?);
    println!("\n| contender | what | bytes | gzipped |\n|---|---|---:|---:|");
    for s in &sizes {
        println!(
            "| {} | {} | {} | {} |",
            s.contender, s.what, s.raw_bytes, s.gzip_bytes
        );
    }
    Ok(())
}

/// Builds every Rust minimal app into `site` in the smallest configuration this machine
/// builds and, with `stable_too`, ours also as a stable toolchain builds it, so the report
/// shows what that configuration saves: (contender, the app or why it has none, its
/// directory in `site`). Needs [`super::connect::build`]'s esbuild.
pub fn rust_apps(
    env: &Env,
    site: &Path,
    stable_too: bool,
) -> Result<Vec<(String, Result<RustApp>, String)>> {
    let wasm_opt = step("wasm-opt (binaryen from npm)", || {
        crate::tools::WASM_OPT.ensure(&env.path)
    })?;
    let (best, stable) = (Build::detect(), Build::Stable);
    let mut apps: Vec<(String, &str, String, &Build)> = RUST_APPS
        .iter()
        .map(|(name, krate, dir)| (name.to_string(), *krate, dir.to_string(), &best))
        .collect();
    if let (true, Build::Small(_)) = (stable_too, &best) {
        let (name, krate, dir) = RUST_APPS[0];
        apps.push((
            format!("{name}, stable std"),
            krate,
            format!("{dir}-stable"),
            &stable,
        ));
    }
    let esbuild = super::connect::esbuild();
    Ok(apps
        .into_iter()
        .map(|(name, krate, dir, build)| {
            let built = step(&format!("size: minimal app for {name}"), || {
                rust_app(
                    env,
                    &name,
                    krate,
                    build,
                    &site.join(&dir),
                    &wasm_opt,
                    &esbuild,
                )
            });
            (name, built, dir)
        })
        .collect())
}

/// Adds an app's row to `sizes`, and for ours (in the smallest build) also the unbundled
/// one, which shows what bundling its JS saves.
pub fn keep(sizes: &mut Vec<Size>, name: &str, shipped: Size, unbundled: Size) {
    sizes.push(shipped);
    if name == RUST_APPS[0].0 {
        sizes.push(unbundled);
    }
}

/// A Rust minimal app's sizes, and the module the page runs.
pub struct RustApp {
    /// As shipped: the wasm and the JS glue bundled with its snippets by esbuild
    /// (`--bundle --minify`), the treatment connect-web's bundle gets.
    pub shipped: Size,
    /// The wasm with the glue and snippets as wasm-bindgen writes them, unminified.
    pub unbundled: Size,
    /// The bundle's file name in `dest`, for the page to import.
    pub module: String,
}

/// Builds `krate` with lto, opt-level "z", one codegen unit and strip, in `build`'s
/// configuration (in a target dir of its own, so the speed builds keep theirs), runs
/// wasm-bindgen into `dest` and `wasm_opt` over its wasm, bundles its JS with `esbuild`,
/// and measures it both ways.
pub fn rust_app(
    env: &Env,
    contender: &str,
    krate: &str,
    build: &Build,
    dest: &Path,
    wasm_opt: &Path,
    esbuild: &Path,
) -> Result<RustApp> {
    let target = crate::host_target_dir().join(match build {
        Build::Small(_) => "bench-size-small",
        Build::Stable => "bench-size",
    });
    let wasm = build_for_size(env, krate, build, &target, true)?;
    let name = krate.replace('-', "_");
    process::run(
        env.command("wasm-bindgen")
            .args(["--target", "web", "--out-dir"])
            .arg(dest)
            .arg(&wasm),
    )?;
    let module = dest.join(format!("{name}_bg.wasm"));
    env.wasm_opt(wasm_opt, &module)?;
    let glue = dest.join(format!("{name}.js"));
    let mut files = vec![module.clone(), glue.clone()];
    files.extend(imported_snippets(&glue)?);
    let how = format!(
        "{}; wasm-bindgen --target web, wasm-opt -Oz",
        build.describe()
    );
    let unbundled = measure(
        &format!("{contender}, unbundled"),
        &format!("wasm + JS glue and the snippets it imports, unminified ({how})"),
        &files,
    )?;
    // Beside the glue, so the glue's `new URL("…_bg.wasm", import.meta.url)` still finds
    // the wasm when the page imports the bundle.
    let bundle = format!("{name}.bundle.js");
    process::run(
        env.command(&esbuild.to_string_lossy())
            .arg(&glue)
            .args(BUNDLE_ARGS)
            // wasm-bindgen's glue names the snippet module once per import group, as keys of
            // one object literal; harmless, and not ours to fix.
            .arg("--log-override:duplicate-object-key=silent")
            .arg(format!("--outfile={}", dest.join(&bundle).display())),
    )?;
    let shipped = measure(
        contender,
        &format!("wasm + JS glue and snippets bundled (esbuild --bundle --minify; {how})"),
        &[module, dest.join(&bundle)],
    )?;
    Ok(RustApp {
        shipped,
        unbundled,
        module: bundle,
    })
}

/// How every contender's JS is bundled for the size table, connect-web's included.
pub const BUNDLE_ARGS: [&str; 4] = [
    "--bundle",
    "--minify",
    "--format=esm",
    "--log-level=warning",
];

/// The `snippets/` files (a crate's `inline_js`) that wasm-bindgen's glue `glue` imports:
/// the page loads them too. wasm-bindgen writes every crate's snippets, used or not, so
/// only the imported ones count.
fn imported_snippets(glue: &Path) -> Result<Vec<std::path::PathBuf>> {
    let js = std::fs::read_to_string(glue).map_err(|e| format!("{}: {e}", glue.display()))?;
    let dir = glue.parent().unwrap_or(Path::new("."));
    Ok(snippet_imports(&js)
        .into_iter()
        .map(|rel| dir.join("snippets").join(rel))
        .collect())
}

/// The `./snippets/…` paths (without that prefix) that the glue's `import` lines name, once each.
fn snippet_imports(js: &str) -> Vec<&str> {
    let mut found = Vec::new();
    for line in js.lines().filter(|l| l.starts_with("import ")) {
        let quoted = line.rsplit(['\'', '"']).nth(1).unwrap_or("");
        if let Some(rel) = quoted.strip_prefix("./snippets/") {
            if !found.contains(&rel) {
                found.push(rel);
            }
        }
    }
    found
}

/// Builds `krate` for wasm32 with lto, opt-level "z" and one codegen unit, stripped or
/// keeping its names, in `build`'s configuration and the target dir `target`; its `.wasm`.
pub fn build_for_size(
    env: &Env,
    krate: &str,
    build: &Build,
    target: &Path,
    strip: bool,
) -> Result<std::path::PathBuf> {
    let mut cmd = env.cargo_wasm();
    cmd.env("CARGO_TARGET_DIR", target);
    build.apply(&mut cmd, target);
    cmd.env("CARGO_PROFILE_RELEASE_LTO", "true")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
        .env(
            "CARGO_PROFILE_RELEASE_STRIP",
            if strip { "true" } else { "false" },
        )
        .args(["build", "--release", "--target", WASM, "--package", krate]);
    process::run(&mut cmd)?;
    let name = krate.replace('-', "_");
    Ok(target
        .join(WASM)
        .join("release")
        .join(format!("{name}.wasm")))
}

/// Measures files shipped together: their total size raw and each gzipped.
pub fn measure(contender: &str, what: &str, files: &[std::path::PathBuf]) -> Result<Size> {
    let mut size = Size {
        contender: contender.into(),
        what: what.into(),
        raw_bytes: 0,
        gzip_bytes: 0,
    };
    for file in files {
        let meta = std::fs::metadata(file).map_err(|e| format!("{}: {e}", file.display()))?;
        size.raw_bytes += meta.len();
        let out = Command::new("gzip")
            .args(["-9", "-c"])
            .arg(file)
            .output()
            .map_err(|e| format!("gzip: {e}"))?;
        if !out.status.success() {
            return Err(format!("gzip {} failed", file.display()));
        }
        size.gzip_bytes += out.stdout.len() as u64;
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    #[test]
    fn snippets_are_the_imported_ones_once_each() {
        let glue = "import { a, b } from './snippets/c-1/inline0.js';\n\
                    import * as import1 from \"./snippets/c-1/inline1.js\"\n\
                    import * as import2 from \"./snippets/c-1/inline1.js\"\n\
                    const s = './snippets/c-1/inline2.js';\n";
        assert_eq!(
            super::snippet_imports(glue),
            ["c-1/inline0.js", "c-1/inline1.js"]
        );
    }
}
