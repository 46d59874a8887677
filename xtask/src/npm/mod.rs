//! `cargo xtask npm`: the npm package, two wasm modules so that a page pays only for what it
//! imports. wasm-pack builds `npm/` (the core: the client with feature `js`) and
//! `npm/dynamic/` (`DynamicClient`: feature `js-dynamic`) as plain ES modules
//! (`--target web`) into one directory, where both glues share one `snippets/` module; the
//! package.json, README and connect-es transport come from `npm/`; `npm pack` makes the
//! tarball that www/ installs.

mod glue;
mod size;
mod snippets;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::setup::{self, Env, Needs};
use crate::ui::{self, note, step};
use crate::{process, Result};

pub use size::Sizes;

/// One wasm module of the package.
struct Module {
    /// The cdylib crate's directory, from the repository root.
    krate: &'static str,
    /// wasm-pack's `--out-name`: the glue is `<name>.js`, the module `<name>_bg.wasm`.
    name: &'static str,
    /// What users import, for the error a call before `init()` throws.
    entry: &'static str,
    /// Declarations its `.d.ts` must have.
    declares: &'static [&'static str],
}

const CORE: Module = Module {
    krate: "npm",
    name: "grpc_web_wasm",
    entry: "grpc-web-wasm",
    declares: &[
        "export class GrpcError extends Error",
        "export class GrpcWebClient",
        "export interface ClientOptions",
    ],
};

const DYNAMIC: Module = Module {
    krate: "npm/dynamic",
    name: "grpc_web_wasm_dynamic",
    entry: "grpc-web-wasm/dynamic",
    declares: &[
        "export class DynamicClient",
        "export interface ServiceInfo",
        "from \"./grpc_web_wasm.js\"",
    ],
};

/// What a package must hold: both modules with their declarations, the connect-es entry
/// and the JS snippet both modules import.
const REQUIRED: &[&str] = &[
    "package/package.json",
    "package/README.md",
    "package/grpc_web_wasm.js",
    "package/grpc_web_wasm.d.ts",
    "package/grpc_web_wasm_bg.wasm",
    "package/grpc_web_wasm_dynamic.js",
    "package/grpc_web_wasm_dynamic.d.ts",
    "package/grpc_web_wasm_dynamic_bg.wasm",
    "package/connect.js",
    "package/connect.d.ts",
    "package/snippets/grpc-web-wasm.js",
];

/// Crates only `DynamicClient` needs: neither the default build nor the core may hold them.
const DYNAMIC_ONLY_CRATES: &[&str] = &["prost-reflect", "serde", "serde_json"];

/// The built package.
#[derive(Debug)]
pub struct Package {
    /// The `.tgz` that `npm pack` wrote.
    pub tarball: PathBuf,
    /// What each module weighs.
    pub sizes: Sizes,
}

/// `cargo xtask npm`: build and pack, then say where the tarball is and what it weighs.
pub fn run() -> Result {
    let env = setup::ensure(Needs {
        wasm_pack: true,
        node: true,
        ..Needs::default()
    })?;
    let package = build(&env)?;
    ui::summary("npm");
    println!("\npackage: {}", package.tarball.display());
    println!("{}", package.sizes);
    Ok(())
}

/// Builds the package into `<target>/npm/package` and packs it.
pub fn build(env: &Env) -> Result<Package> {
    let out = crate::host_target_dir().join("npm");
    let dir = out.join("package");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let version = check_version()?;

    step(
        "npm: the default build and the core free of DynamicClient's deps",
        || lean(env),
    )?;
    // The smallest configuration this machine can build (nightly build-std), or stable.
    let build = crate::small::Build::detect();
    build_module(env, &build, &CORE, &dir)?;
    let staging = out.join("dynamic");
    let _ = std::fs::remove_dir_all(&staging);
    build_module(env, &build, &DYNAMIC, &staging)?;
    step(
        "npm: the dynamic module beside the core, one snippets/",
        || glue::merge(&staging, &dir, DYNAMIC.name),
    )?;
    step("npm: the JS snippets as one module", || {
        snippets::join(&dir, &[CORE, DYNAMIC].map(|m| format!("{}.js", m.name)))
    })?;
    // With them, the connect-es transport: a plain ES module and its declarations, the entry
    // `grpc-web-wasm/connect`.
    let js = crate::root().join("npm");
    for file in ["package.json", "README.md", "connect.js", "connect.d.ts"] {
        std::fs::copy(js.join(file), dir.join(file))
            .map_err(|e| format!("copying npm/{file}: {e}"))?;
    }
    for module in [&CORE, &DYNAMIC] {
        glue::check_declarations(&dir.join(format!("{}.d.ts", module.name)), module.declares)?;
    }

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
    let sizes = step("npm: module sizes (gzip -9)", || {
        Sizes::measure(&dir, &build)
    })?;
    note(sizes.to_string());
    sizes.within_budget()?;
    Ok(Package { tarball, sizes })
}

/// Builds one wasm module into `dir`: wasm-pack, the glue's fixes, then wasm-opt. Both
/// modules are built here, so build settings change in one place.
fn build_module(env: &Env, build: &crate::small::Build, module: &Module, dir: &Path) -> Result {
    step(&format!("npm: wasm-pack build {}", module.krate), || {
        let mut cmd = env.command("wasm-pack");
        env.toolchain.for_wasm(&mut cmd);
        build.apply(&mut cmd, &crate::host_target_dir().join("small"));
        // Profile `npm` (root Cargo.toml): size-optimised, and apart from the demo's release
        // build. --no-opt: wasm-pack would download binaryen; ours runs next.
        cmd.args(["build", module.krate, "--profile", "npm", "--target", "web"])
            .args([
                "--mode",
                "no-install",
                "--no-opt",
                "--no-pack",
                "--no-gitignore",
            ])
            .arg("--out-dir")
            .arg(dir)
            .args(["--out-name", module.name]);
        process::run(&mut cmd)
    })?;
    step(
        &format!(
            "npm: {}: a clear error for calls before init()",
            module.entry
        ),
        || glue::guard_init(&dir.join(format!("{}.js", module.name)), module.entry),
    )?;
    step(
        &format!("npm: {}: declarations any tsconfig compiles", module.entry),
        || glue::portable_declarations(&dir.join(format!("{}.d.ts", module.name))),
    )?;
    step(&format!("npm: {}: wasm-opt -Oz", module.entry), || {
        let wasm_opt = crate::tools::WASM_OPT.ensure(&env.path)?;
        let wasm = dir.join(format!("{}_bg.wasm", module.name));
        let before = std::fs::metadata(&wasm).map_or(0, |m| m.len());
        env.wasm_opt(&wasm_opt, &wasm)?;
        let after = std::fs::metadata(&wasm).map_or(0, |m| m.len());
        note(format!("{}: {before} -> {after} bytes", wasm.display()));
        Ok(())
    })
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

/// Rust users of the crate never compile what the JavaScript API needs, and the core module
/// never links what only `DynamicClient` needs (nor gzip). The dynamic module must link
/// those crates, or the names checked here are stale and the check proves nothing.
fn lean(env: &Env) -> Result {
    let builds = [
        ("grpc-web-wasm", "the default build", false),
        ("grpc-web-wasm-npm", "the core module", false),
        ("grpc-web-wasm-npm-dynamic", "the dynamic module", true),
    ];
    for (package, build, want) in builds {
        let tree = process::output(
            env.cargo_wasm()
                .args(["tree", "--package", package, "--target"])
                .arg(crate::toolchain::WASM)
                .args(["--edges", "normal", "--prefix", "none"]),
        )
        .ok_or("cargo tree failed")?;
        let has = |krate: &&str| tree.lines().any(|l| l.starts_with(&format!("{krate} v")));
        let found: Vec<&str> = DYNAMIC_ONLY_CRATES.iter().copied().filter(has).collect();
        if !want && !found.is_empty() {
            return Err(format!("{build} pulls in {}", found.join(", ")));
        }
        if want && found.len() != DYNAMIC_ONLY_CRATES.len() {
            return Err(format!(
                "{build} lacks some of {}: update DYNAMIC_ONLY_CRATES in xtask/src/npm",
                DYNAMIC_ONLY_CRATES.join(", ")
            ));
        }
        if package == "grpc-web-wasm-npm" && has(&"flate2") {
            return Err(format!("{build} pulls in flate2: gzip would double it"));
        }
        let which = if want { "all" } else { "none" };
        note(format!(
            "{build}: {which} of {}",
            DYNAMIC_ONLY_CRATES.join(", ")
        ));
    }
    Ok(())
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
