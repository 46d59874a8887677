//! The npm README's code-generation step, run as written: its `sh` block with `protoc` in a
//! scratch directory laid out as the README assumes (`proto/`, `node_modules/`), and the
//! files it writes compared with the ones the tests generate and load. A README edit that
//! breaks the command, or code that differs from what the tests ran, fails here.

use std::path::Path;

use crate::setup::Env;
use crate::ui::note;
use crate::{process, Result};

/// Debian's protoc; any protoc 3.15+ reads the demo protos (proto3 `optional`).
pub const PACKAGES: &[&str] = &["protobuf-compiler"];

/// Runs the README's `protoc` block beside `www`'s node_modules and compares its output with
/// `www/generated/es/` (written by the tests' own protoc-gen-es run).
pub fn check(env: &Env, www: &Path) -> Result {
    crate::tools::apt_install(PACKAGES)?;
    let readme = crate::root().join("npm").join("README.md");
    let text = std::fs::read_to_string(&readme)
        .map_err(|e| format!("reading {}: {e}", readme.display()))?;
    let script = protoc_block(&text).ok_or("npm/README.md has no ```sh block running protoc")?;
    let scratch = crate::root().join("target").join("readme-protoc");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    link(&crate::root().join("proto"), &scratch.join("proto"))?;
    link(&www.join("node_modules"), &scratch.join("node_modules"))?;
    process::run(
        env.command("sh")
            .current_dir(&scratch)
            .args(["-e", "-c"])
            .arg(&script),
    )
    .map_err(|e| format!("the npm README's protoc block failed: {e}\n{script}"))?;
    let written = scratch.join("generated").join("es");
    let files = compare(&written, &www.join("generated").join("es"), &written)?;
    if files == 0 {
        return Err("the npm README's protoc block wrote no files".into());
    }
    note(format!(
        "the README's protoc block wrote {files} files, each the same as the tests' code"
    ));
    Ok(())
}

/// The first fenced `sh` block that runs protoc.
fn protoc_block(readme: &str) -> Option<String> {
    let mut block: Option<Vec<&str>> = None;
    for line in readme.lines() {
        let trimmed = line.trim();
        match &mut block {
            None if trimmed == "```sh" => block = Some(Vec::new()),
            Some(lines) if trimmed == "```" => {
                if lines.iter().any(|l| l.starts_with("protoc ")) {
                    return Some(lines.join("\n"));
                }
                block = None;
            }
            Some(lines) => lines.push(trimmed),
            None => {}
        }
    }
    None
}

/// Compares every file under `dir` with its namesake under `expected`; returns how many.
fn compare(dir: &Path, expected: &Path, root: &Path) -> Result<usize> {
    let mut count = 0;
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            count += compare(&path, expected, root)?;
            continue;
        }
        let relative = path.strip_prefix(root).map_err(|e| e.to_string())?;
        let ours = std::fs::read(&path).map_err(|e| e.to_string())?;
        let theirs = std::fs::read(expected.join(relative))
            .map_err(|e| format!("{} (the tests have no such file): {e}", relative.display()))?;
        if ours != theirs {
            return Err(format!(
                "{} from the README's protoc block differs from the code the tests ran",
                relative.display()
            ));
        }
        count += 1;
    }
    Ok(count)
}

fn link(target: &Path, at: &Path) -> Result {
    #[cfg(unix)]
    return std::os::unix::fs::symlink(target, at)
        .map_err(|e| format!("linking {}: {e}", at.display()));
    #[cfg(not(unix))]
    Err(format!("{}: symlinks need unix", at.display()))
}

#[cfg(test)]
mod tests {
    use super::protoc_block;

    #[test]
    fn the_block_with_protoc_is_found_whole() {
        let readme = "```sh\nnpm install x\n```\n\n   ```sh\n   mkdir -p out\n   protoc -I p \\\n     --es_out=out a.proto\n   ```\n";
        assert_eq!(
            protoc_block(readme).as_deref(),
            Some("mkdir -p out\nprotoc -I p \\\n--es_out=out a.proto")
        );
        assert_eq!(protoc_block("```sh\nnpm i\n```\n"), None);
    }
}
