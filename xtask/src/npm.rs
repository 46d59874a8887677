//! `cargo xtask npm`: the npm package. wasm-pack builds `npm/` (a cdylib wrapping the
//! client with feature `js`) as plain ES modules (`--target web`); the package.json and
//! README for JavaScript users come from `npm/`; `npm pack` makes the tarball that www/ installs.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::setup::{self, Env, Needs};
use crate::ui::{self, note, step};
use crate::{process, Result};

/// What a package must hold: the module, its declarations, the wasm and the JS snippet.
const REQUIRED: &[&str] = &[
    "package/package.json",
    "package/README.md",
    "package/grpc_web_wasm.js",
    "package/grpc_web_wasm.d.ts",
    "package/grpc_web_wasm_bg.wasm",
    "package/connect.js",
    "package/connect.d.ts",
    "/src/js/support.js",
];

/// Crates the `js` feature adds, which the default build must not contain.
const JS_ONLY_CRATES: &[&str] = &["prost-reflect", "serde_json"];

/// The built package.
#[derive(Debug)]
pub struct Package {
    /// The `.tgz` that `npm pack` wrote.
    pub tarball: PathBuf,
}

/// `cargo xtask npm`: build and pack, then say where the tarball is.
pub fn run() -> Result {
    let env = setup::ensure(Needs {
        wasm_pack: true,
        node: true,
        ..Needs::default()
    })?;
    let package = build(&env)?;
    ui::summary("npm");
    println!("\npackage: {}", package.tarball.display());
    Ok(())
}

/// Builds the package into `<target>/npm/package` and packs it.
pub fn build(env: &Env) -> Result<Package> {
    let out = crate::host_target_dir().join("npm");
    let dir = out.join("package");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let version = check_version()?;

    step("npm: default build free of js deps", || {
        default_build_is_lean(env)
    })?;
    step("npm: wasm-pack build --target web", || {
        let mut cmd = env.command("wasm-pack");
        env.toolchain.for_wasm(&mut cmd);
        // Profile `npm` (root Cargo.toml): size-optimised, and apart from the demo's release
        // build. --no-opt: wasm-pack would download binaryen; ours runs next.
        cmd.args(["build", "npm", "--profile", "npm", "--target", "web"])
            .args([
                "--mode",
                "no-install",
                "--no-opt",
                "--no-pack",
                "--no-gitignore",
            ])
            .arg("--out-dir")
            .arg(&dir)
            .args(["--out-name", "grpc_web_wasm"]);
        process::run(&mut cmd)
    })?;
    step("npm: a clear error for calls before init()", || {
        guard_init(&dir.join("grpc_web_wasm.js"))
    })?;
    step("npm: declarations any tsconfig compiles", || {
        portable_declarations(&dir.join("grpc_web_wasm.d.ts"))
    })?;
    step("npm: wasm-opt -Oz", || {
        let wasm_opt = crate::tools::WASM_OPT.ensure(&env.path)?;
        let module = dir.join("grpc_web_wasm_bg.wasm");
        let before = std::fs::metadata(&module).map_or(0, |m| m.len());
        env.wasm_opt(&wasm_opt, &module)?;
        let after = std::fs::metadata(&module).map_or(0, |m| m.len());
        note(format!("the wasm module: {before} -> {after} bytes"));
        Ok(())
    })?;
    // With them, the connect-es transport: a plain ES module and its declarations, the entry
    // `grpc-web-wasm/connect`.
    let js = crate::root().join("npm");
    for file in ["package.json", "README.md", "connect.js", "connect.d.ts"] {
        std::fs::copy(js.join(file), dir.join(file))
            .map_err(|e| format!("copying npm/{file}: {e}"))?;
    }
    check_declarations(&dir.join("grpc_web_wasm.d.ts"))?;

    let tarball = step("npm pack", || {
        let name = process::output(
            env.command("npm")
                .current_dir(&dir)
                .args(["pack", "--silent", "--pack-destination"])
                .arg(&out),
        )
        .ok_or("npm pack failed")?;
        Ok(out.join(name.lines().last().unwrap_or_default().trim()))
    })?;
    let expected = out.join(format!("grpc-web-wasm-{version}.tgz"));
    if tarball != expected || !tarball.is_file() {
        return Err(format!(
            "npm pack wrote {}, not {}",
            tarball.display(),
            expected.display()
        ));
    }
    check_contents(&tarball)?;
    let wasm = std::fs::metadata(dir.join("grpc_web_wasm_bg.wasm")).map_or(0, |m| m.len());
    let packed = std::fs::metadata(&tarball).map_or(0, |m| m.len());
    note(format!(
        "{}: {packed} bytes packed; the wasm module is {wasm} bytes",
        tarball.display()
    ));
    Ok(Package { tarball })
}

/// The version in `npm/package.json` must be the crate's.
fn check_version() -> Result<String> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))
    };
    let cargo = read(&crate::root().join("client/Cargo.toml"))?;
    let crate_version = cargo
        .lines()
        .find_map(|l| l.strip_prefix("version = "))
        .map(|v| v.trim().trim_matches('"').to_string())
        .ok_or("client/Cargo.toml has no version")?;
    let package = read(&crate::root().join("npm/package.json"))?;
    let wanted = format!("\"version\": \"{crate_version}\"");
    if package.contains(&wanted) {
        Ok(crate_version)
    } else {
        Err(format!(
            "npm/package.json must say {wanted}, as client/Cargo.toml does"
        ))
    }
}

/// Rust users of the crate never compile what the JavaScript API needs.
fn default_build_is_lean(env: &Env) -> Result {
    let tree = process::output(env.cargo_wasm().args([
        "tree",
        "--package",
        "grpc-web-wasm",
        "--target",
        crate::toolchain::WASM,
        "--edges",
        "normal",
        "--prefix",
        "none",
    ]))
    .ok_or("cargo tree failed")?;
    let found: Vec<&str> = JS_ONLY_CRATES
        .iter()
        .copied()
        .filter(|krate| tree.lines().any(|l| l.starts_with(&format!("{krate} v"))))
        .collect();
    if found.is_empty() {
        note(format!(
            "none of {} without --features js",
            JS_ONLY_CRATES.join(", ")
        ));
        Ok(())
    } else {
        Err(format!(
            "the default client build pulls in {}",
            found.join(", ")
        ))
    }
}

/// The hand-written types were included, and nothing public is typed `any`.
fn check_declarations(path: &Path) -> Result {
    let dts = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    // wasm-bindgen's own loader types (InitOutput and after) are its business.
    let public = dts
        .split("export type InitInput")
        .next()
        .unwrap_or_default();
    for wanted in [
        "export class GrpcError extends Error",
        "export class DynamicClient",
    ] {
        if !public.contains(wanted) {
            return Err(format!("{} lacks `{wanted}`", path.display()));
        }
    }
    let loose: Vec<&str> = public
        .lines()
        .filter(|l| !l.trim_start().starts_with('*') && l.contains("any"))
        .filter(|l| l.contains(": any") || l.contains("any[]") || l.contains("<any>"))
        .collect();
    if loose.is_empty() {
        Ok(())
    } else {
        Err(format!("declarations typed `any`:\n{}", loose.join("\n")))
    }
}

fn check_contents(tarball: &Path) -> Result {
    let listing = process::output(Command::new("tar").arg("-tzf").arg(tarball))
        .ok_or("cannot list the tarball")?;
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|want| !listing.lines().any(|l| l == *want || l.ends_with(want)))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the tarball lacks {}; it holds:\n{listing}",
            missing.join(", ")
        ))
    }
}

/// wasm-bindgen's glue leaves `wasm` undefined until `init()` resolves, so a call made
/// before it fails with "Cannot read properties of undefined". Until then `wasm` is a
/// stand-in whose every use says what to do. Fails if the glue no longer has the lines
/// this relies on (a wasm-bindgen upgrade), rather than shipping without the guard.
fn guard_init(glue: &Path) -> Result {
    const DECLARATION: &str = "let wasmModule, wasmInstance, wasm;";
    const LOADED_CHECK: &str = "if (wasm !== undefined) return wasm;";
    let js = std::fs::read_to_string(glue).map_err(|e| format!("{}: {e}", glue.display()))?;
    if js.matches(DECLARATION).count() != 1 || js.matches(LOADED_CHECK).count() != 2 {
        return Err(format!(
            "{}: wasm-bindgen's glue changed; update guard_init in xtask/src/npm.rs",
            glue.display()
        ));
    }
    let js = js
        .replace(
            DECLARATION,
            "const wasmNotLoaded = new Proxy({}, { get() { throw new Error(\"grpc-web-wasm: the \
             WebAssembly module is not loaded yet: call `await init()` (the package's default \
             export) before using it\"); } });\nlet wasmModule, wasmInstance, wasm = wasmNotLoaded;",
        )
        .replace(LOADED_CHECK, "if (wasm !== wasmNotLoaded) return wasm;");
    std::fs::write(glue, js).map_err(|e| format!("{}: {e}", glue.display()))
}

/// wasm-bindgen declares `[Symbol.dispose]()` on every exported class, which only compiles
/// where the app's `lib` has `esnext.disposable`: under a default tsconfig with
/// `skipLibCheck: false` every app would fail. The declarations lose those lines (the
/// methods stay at runtime wherever `Symbol.dispose` exists; `free()` is declared anyway).
fn portable_declarations(path: &Path) -> Result {
    let dts = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let kept: Vec<&str> = dts
        .lines()
        .filter(|line| line.trim() != "[Symbol.dispose](): void;")
        .collect();
    std::fs::write(path, kept.join("\n") + "\n").map_err(|e| format!("{}: {e}", path.display()))
}
