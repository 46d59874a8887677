//! The quickstart in `examples/quickstart/` (a workspace of its own, as a user's project
//! would be): its README shows every file as it is, its server and page build without a
//! warning, and in Chromium the page, served from one origin, calls the server on another
//! through its CORS policy, for a greeting and for an error status.

use std::path::Path;
use std::process::Command;

use crate::server::Server;
use crate::setup::Env;
use crate::ui::{note, step};
use crate::{demo, process, Result};

/// Checks, builds and runs the quickstart; `binary` is this repository's server, used here
/// only to serve the page's files.
pub fn test(env: &Env, binary: &Path) -> Result {
    let root = crate::root().join("examples").join("quickstart");
    step(
        "examples: the quickstart's README shows its files as they are",
        || readme_matches(&root),
    )?;
    step("examples: build the quickstart's tonic server", || {
        let mut cargo = env.cargo_host();
        cargo
            .current_dir(&root)
            .env("CARGO_TARGET_DIR", crate::host_target_dir())
            .args(["build", "--package", "hello-server"]);
        demo::run_refusing(&mut cargo, "warning:")
    })?;
    step("examples: trunk build of the quickstart's page", || {
        let mut trunk = env.command("trunk");
        env.toolchain.for_wasm(&mut trunk);
        if env.toolchain.wasm_target_dir.is_none() {
            trunk.env("CARGO_TARGET_DIR", crate::host_target_dir());
        }
        trunk.current_dir(root.join("app")).arg("build");
        demo::run_refusing(&mut trunk, "warning:")
    })?;
    step("examples: the page calls the server in Chromium", || {
        let dist = root.join("app").join("dist");
        let page = Server::start(
            binary,
            &[
                "--listen",
                "127.0.0.1:0",
                "--static-dir",
                &dist.to_string_lossy(),
            ],
        )?;
        let hello = crate::host_target_dir().join("debug").join("hello-server");
        let api = Server::start(&hello, &["127.0.0.1:0", &page.url])?;
        let greeting = reply(env, &format!("{}/?server={}&name=Ada", page.url, api.url))?;
        expect(&greeting, "Hello, Ada!")?;
        let refused = reply(env, &format!("{}/?server={}&name=", page.url, api.url))?;
        expect(&refused, "failed: INVALID_ARGUMENT: name must not be empty")
    })
}

/// The text of the page's `#reply` once its call ended, as Chromium rendered it.
fn reply(env: &Env, url: &str) -> Result<String> {
    let profile =
        std::env::temp_dir().join(format!("grpc-web-wasm-quickstart-{}", std::process::id()));
    let dom = process::output(
        Command::new("chromium")
            .env("PATH", &env.path)
            .args(crate::test::CHROMIUM_FLAGS)
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(["--virtual-time-budget=10000", "--dump-dom"])
            .arg(url),
    );
    let _ = std::fs::remove_dir_all(&profile);
    let dom = dom.ok_or("chromium --dump-dom failed")?;
    let text = dom
        .split_once(r#"<p id="reply">"#)
        .and_then(|(_, rest)| rest.split_once("</p>"))
        .map(|(text, _)| text.to_owned())
        .ok_or_else(|| format!("no #reply on the page:\n{dom}"))?;
    note(format!("{url}: {text}"));
    Ok(text)
}

fn expect(text: &str, wanted: &str) -> Result {
    if text == wanted {
        Ok(())
    } else {
        Err(format!("the page says {text:?}, not {wanted:?}"))
    }
}

/// Each fenced block that follows a line naming a file (`` `app/src/main.rs`: ``) must be
/// that file, up to a line starting `# -- not in the quickstart`.
fn readme_matches(root: &Path) -> Result {
    let readme = std::fs::read_to_string(root.join("README.md")).map_err(|e| e.to_string())?;
    let mut lines = readme.lines();
    let mut checked = 0;
    while let Some(line) = lines.next() {
        let Some(file) = line.strip_prefix('`').and_then(|l| l.strip_suffix("`:")) else {
            continue;
        };
        if !lines.next().is_some_and(|fence| fence.starts_with("```")) {
            return Err(format!("README.md: no code block after `{file}`:"));
        }
        let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        let text = std::fs::read_to_string(root.join(file)).map_err(|e| format!("{file}: {e}"))?;
        let shown: Vec<&str> = text
            .lines()
            .take_while(|l| !l.starts_with("# -- not in the quickstart"))
            .collect();
        if block != shown {
            return Err(format!("README.md shows {file} otherwise than it is"));
        }
        checked += 1;
    }
    note(format!("{checked} files shown as they are"));
    if checked == 0 {
        return Err("README.md shows no file".into());
    }
    Ok(())
}
