//! The package's JS snippets as one module. wasm-bindgen writes a file per `inline_js` or
//! `module` attribute (five for the core), and a page fetches and decompresses each on its
//! own. Shipped as one `snippets/grpc-web-wasm.js`, without their comments and indentation
//! (the sources keep them), they gzip to about 1.3 KB less than the five files did, and a
//! page makes one request instead of five (`bench/FINDINGS.md`, 2026-12-06 session 10).

use std::path::Path;

use crate::Result;

/// The one snippet file, under `snippets/`.
pub(super) const MODULE: &str = "grpc-web-wasm.js";

/// Joins every file under `dir/snippets` into [`MODULE`] and points the imports of each glue
/// in `glues` (file names in `dir`) at it. The wasm modules name the old files in their
/// import section, so the glues' import objects keep those keys: each maps to the joined
/// module, which exports everything the old files did. Fails if two files declare the same
/// top-level name, which one module could not hold.
pub(super) fn join(dir: &Path, glues: &[String]) -> Result {
    let root = dir.join("snippets");
    let mut joined = String::new();
    let mut declared: Vec<(String, String)> = Vec::new();
    for file in super::size::files(&root)? {
        let js = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let name = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for id in top_level_names(&js) {
            if let Some((_, first)) = declared.iter().find(|(d, _)| *d == id) {
                return Err(format!(
                    "snippets {first} and {name} both declare `{id}`: one module cannot hold both"
                ));
            }
            declared.push((id, name.clone()));
        }
        joined.push_str(&shrink(&js).map_err(|e| format!("{name}: {e}"))?);
    }
    std::fs::remove_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    std::fs::write(root.join(MODULE), joined).map_err(|e| format!("{MODULE}: {e}"))?;
    for glue in glues {
        let path = dir.join(glue);
        let js = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        std::fs::write(&path, repoint(&js)).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// `js` without its whole-line comments (`//` lines and `/* */` blocks alone on their
/// lines) and without indentation: none of it means anything to a browser, and the sources
/// keep it. Our snippets have no template literals or strings spanning lines, which this
/// would alter.
fn shrink(js: &str) -> Result<String> {
    let mut out = String::with_capacity(js.len());
    let mut in_block = false;
    for line in js.lines().map(str::trim) {
        let closes = line.find("*/").map(|at| at + 2);
        if in_block || line.starts_with("/*") {
            match closes {
                // A comment ending mid-line: code after it would be lost.
                Some(end) if end < line.len() => {
                    return Err(format!("a block comment ends before code: {line:?}"));
                }
                Some(_) => in_block = false,
                None => in_block = true,
            }
            continue;
        }
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    Ok(out)
}

/// The names a snippet declares at its top level (lines that start a declaration in the
/// first column, as ours are written).
fn top_level_names(js: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in js.lines() {
        let mut rest = line.strip_prefix("export ").unwrap_or(line);
        rest = rest.strip_prefix("async ").unwrap_or(rest);
        let Some(rest) = [
            "function ",
            "function* ",
            "class ",
            "const ",
            "let ",
            "var ",
        ]
        .iter()
        .find_map(|kw| rest.strip_prefix(kw)) else {
            continue;
        };
        let id: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
            .collect();
        if !id.is_empty() {
            names.push(id);
        }
    }
    names
}

/// `glue` with the path of every `import` of a snippet replaced by [`MODULE`]'s.
fn repoint(glue: &str) -> String {
    let mut out = String::with_capacity(glue.len());
    for line in glue.lines() {
        let at = line
            .find("./snippets/")
            .filter(|_| line.starts_with("import "));
        match at.and_then(|at| {
            let quote = line[..at].chars().last()?;
            let end = at + line[at..].find(quote)?;
            Some((at, end))
        }) {
            Some((at, end)) => {
                out.push_str(&line[..at]);
                out.push_str("./snippets/");
                out.push_str(MODULE);
                out.push_str(&line[end..]);
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_indentation_go_and_code_stays() {
        let js = "// a note\n/**\n * A doc.\n */\nexport function f(a) {\n    \
                  // inside\n    return a / 2; // kept: not a whole line\n}\n\n\
                  /** one line */\nconst x = '/* not a comment */';\n";
        assert_eq!(
            shrink(js).unwrap(),
            "export function f(a) {\nreturn a / 2; // kept: not a whole line\n}\n\
             const x = '/* not a comment */';\n"
        );
        assert!(shrink("/** @type {number} */ const n = 1;\n").is_err());
        assert!(shrink("/*\n * a\n */ f();\n").is_err());
    }

    #[test]
    fn declarations_in_the_first_column_are_found() {
        let js = "const pool = [];\nlet pooled = 0;\nexport function open_body(s) {\n    \
                  const inner = 1;\n}\nexport async function gz(d) {}\n\
                  export class GrpcError extends Error {}\nexport function* gen() {}\n";
        assert_eq!(
            top_level_names(js),
            ["pool", "pooled", "open_body", "gz", "GrpcError", "gen"]
        );
    }

    #[test]
    fn snippet_imports_point_at_the_one_module_and_nothing_else_changes() {
        let glue = "import { a, b } from './snippets/c-1/inline0.js';\n\
                    import * as import1 from \"./snippets/c-1/src/t/fetch.js\"\n\
                    const m = { \"./snippets/c-1/src/t/fetch.js\": import1 };\n";
        assert_eq!(
            repoint(glue),
            "import { a, b } from './snippets/grpc-web-wasm.js';\n\
             import * as import1 from \"./snippets/grpc-web-wasm.js\"\n\
             const m = { \"./snippets/c-1/src/t/fetch.js\": import1 };\n"
        );
    }
}
