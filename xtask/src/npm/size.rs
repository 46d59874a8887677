//! What each of the package's modules costs a page: its wasm and its JS glue, raw and
//! compressed with `gzip -9` (what a server's static compression roughly gives).

use std::fmt;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::Result;

/// The core module (wasm + glue + the snippets), gzipped, must stay under this, so that a
/// size regression fails the build rather than shipping. Issue 18's target is 70 KB: the
/// core is 69.4 KB built with nightly's build-std (`crate::small`; 72.7 KB before session 9
/// in bench/FINDINGS.md) and was about 78 KB with the stable fallback, which CI machines
/// without a nightly use (not measured since), so the ceiling is above both. Lower it when
/// the stable build is measured smaller.
pub const CORE_BUDGET: u64 = 80 * 1024;

/// Raw and gzipped bytes of one module's files.
#[derive(Debug, Clone, Copy, Default)]
pub struct Weight {
    /// The files as they are.
    pub raw: u64,
    /// Each file compressed with `gzip -9`, summed.
    pub gzipped: u64,
}

/// The weights of the two modules.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// `grpc-web-wasm`: what every page loads.
    pub core: Weight,
    /// `grpc-web-wasm/dynamic`: loaded only by pages that import it.
    pub dynamic: Weight,
}

impl Sizes {
    /// Weighs the modules in the package directory `dir`.
    pub fn measure(dir: &Path) -> Result<Sizes> {
        let snippet = dir.join("snippets");
        let mut core = weigh(&[
            dir.join("grpc_web_wasm_bg.wasm").as_path(),
            dir.join("grpc_web_wasm.js").as_path(),
        ])?;
        // The snippet (support.js) is the core's: the dynamic module imports the same file,
        // which the browser has by then.
        for file in files(&snippet)? {
            let w = weigh(&[file.as_path()])?;
            core.raw += w.raw;
            core.gzipped += w.gzipped;
        }
        let dynamic = weigh(&[
            dir.join("grpc_web_wasm_dynamic_bg.wasm").as_path(),
            dir.join("grpc_web_wasm_dynamic.js").as_path(),
        ])?;
        Ok(Sizes { core, dynamic })
    }

    /// Fails when the core outgrew its budget.
    pub fn within_budget(&self) -> Result {
        if self.core.gzipped <= CORE_BUDGET {
            Ok(())
        } else {
            Err(format!(
                "the core module is {} bytes gzipped, over its budget of {CORE_BUDGET}",
                self.core.gzipped
            ))
        }
    }
}

impl fmt::Display for Sizes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kb = |n: u64| format!("{:.1} KB", n as f64 / 1024.0);
        write!(
            f,
            "module sizes, wasm + JS glue (gzip -9 / raw):\n  \
             grpc-web-wasm (core):  {} / {} (budget {})\n  \
             grpc-web-wasm/dynamic: {} / {} (loaded only where imported)",
            kb(self.core.gzipped),
            kb(self.core.raw),
            kb(CORE_BUDGET),
            kb(self.dynamic.gzipped),
            kb(self.dynamic.raw),
        )
    }
}

fn weigh(paths: &[&Path]) -> Result<Weight> {
    let mut weight = Weight::default();
    for path in paths {
        weight.raw += std::fs::metadata(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .len();
        let out = Command::new("gzip")
            .args(["-9", "-c"])
            .arg(path)
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("gzip: {e}"))?;
        if !out.status.success() {
            return Err(format!("gzip -9 {} failed", path.display()));
        }
        weight.gzipped += out.stdout.len() as u64;
    }
    Ok(weight)
}

/// Every file under `dir`, sorted.
pub(super) fn files(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}
