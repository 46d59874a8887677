//! Fixes and checks of wasm-bindgen's output, the same for both modules, and the dynamic
//! module moved in beside the core.

use std::path::Path;

use crate::Result;

/// The hand-written types were included, and nothing public is typed `any`.
pub(super) fn check_declarations(path: &Path, wanted: &[&str]) -> Result {
    let dts = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    // wasm-bindgen's own loader types (InitOutput and after) are its business.
    let public = dts
        .split("export type InitInput")
        .next()
        .unwrap_or_default();
    for wanted in wanted {
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

/// wasm-bindgen's glue leaves `wasm` undefined until `init()` resolves, so a call made
/// before it fails with "Cannot read properties of undefined". Until then `wasm` is a
/// stand-in whose every use says what to do. Fails if the glue no longer has the lines
/// this relies on (a wasm-bindgen upgrade), rather than shipping without the guard.
pub(super) fn guard_init(glue: &Path, entry: &str) -> Result {
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
            &format!(
                "const wasmNotLoaded = new Proxy({{}}, {{ get() {{ throw new Error(\"{entry}: \
                 its WebAssembly module is not loaded yet: call `await init()` (the default \
                 export of \\\"{entry}\\\") before using it\"); }} }});\n\
                 let wasmModule, wasmInstance, wasm = wasmNotLoaded;"
            ),
        )
        .replace(LOADED_CHECK, "if (wasm !== wasmNotLoaded) return wasm;");
    std::fs::write(glue, js).map_err(|e| format!("{}: {e}", glue.display()))
}

/// wasm-bindgen declares `[Symbol.dispose]()` on every exported class, which only compiles
/// where the app's `lib` has `esnext.disposable`: under a default tsconfig with
/// `skipLibCheck: false` every app would fail. The declarations lose those lines (the
/// methods stay at runtime wherever `Symbol.dispose` exists; `free()` is declared anyway).
pub(super) fn portable_declarations(path: &Path) -> Result {
    let dts = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let kept: Vec<&str> = dts
        .lines()
        .filter(|line| line.trim() != "[Symbol.dispose](): void;")
        .collect();
    std::fs::write(path, kept.join("\n") + "\n").map_err(|e| format!("{}: {e}", path.display()))
}

/// Moves the module `name` built in `staging` into the package `dir`, beside the core. Its
/// glue imports `snippets/` by a relative path, like the core's: the two must be one file,
/// so that both modules throw the same `GrpcError` class (`instanceof` works for either).
pub(super) fn merge(staging: &Path, dir: &Path, name: &str) -> Result {
    let snippets = |root: &Path| -> Result<Vec<(String, Vec<u8>)>> {
        super::size::files(&root.join("snippets"))?
            .into_iter()
            .map(|path| {
                let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                let rel = path.strip_prefix(root).unwrap_or(&path);
                Ok((rel.display().to_string(), bytes))
            })
            .collect()
    };
    let (core, dynamic) = (snippets(dir)?, snippets(staging)?);
    if core != dynamic || core.is_empty() {
        let names = |f: &[(String, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        return Err(format!(
            "the two modules' snippets differ (core {:?}, dynamic {:?}): their GrpcError \
             classes would differ",
            names(&core),
            names(&dynamic)
        ));
    }
    for suffix in [".js", ".d.ts", "_bg.wasm", "_bg.wasm.d.ts"] {
        let file = format!("{name}{suffix}");
        std::fs::copy(staging.join(&file), dir.join(&file))
            .map_err(|e| format!("copying {file}: {e}"))?;
    }
    Ok(())
}
