//! The www/ app's tests: install the packed npm package into www/ the way an app would,
//! type-check the app and the package's declarations, then drive the app in headless
//! Chromium against a real server.

use std::path::Path;

use prost::Message as _;

use crate::npm::Package;
use crate::server::Server;
use crate::setup::Env;
use crate::ui::{note, step};
use crate::{process, Result};

mod readme;

/// The .proto files whose descriptors the app loads (as `generated/demo.binpb`).
const PROTOS: &[&str] = &["demo/v1/users.proto"];

/// Runs the www/ tests against `package` and the server `binary`.
pub fn test(env: &Env, binary: &Path, package: &Package) -> Result {
    let www = crate::root().join("www");
    step("www: descriptors of the demo protos (protox)", || {
        write_descriptors(&www)
    })?;
    step("www: npm ci, then the packed package", || {
        process::run(npm(env, &www).args(["ci", "--prefer-offline", "--no-audit", "--no-fund"]))?;
        process::run(
            npm(env, &www)
                .args(["install", "--no-save", "--no-audit", "--no-fund"])
                .arg(&package.tarball),
        )
    })?;
    step("www: protoc-gen-es code for the connect-es tests", || {
        generate_es(env, &www)
    })?;
    step(
        "www: the npm README's protoc command, run as written",
        || readme::check(env, &www),
    )?;
    step("www: type-check the app and the declarations (tsc)", || {
        process::run(npm(env, &www).args(["run", "--silent", "check"]))
    })?;
    step(
        "www: the same small app bundled by Vite and by esbuild",
        || {
            for script in ["bundle:vite", "bundle:esbuild"] {
                process::run(npm(env, &www).args(["run", "--silent", script]))?;
            }
            Ok(())
        },
    )?;
    step(
        "www: the app in headless Chromium against the server",
        || {
            let server = Server::start(binary, &["--listen", "127.0.0.1:0", "--dev"])?;
            let fault = crate::fixture::Fixture::start()?;
            let chromium = crate::tools::which("chromium").ok_or("chromium is not on PATH")?;
            let driver = env.chromedriver.as_ref().ok_or("no chromedriver")?;
            let args: Vec<String> = crate::test::CHROMIUM_FLAGS
                .iter()
                .map(|f| format!("{f:?}"))
                .collect();
            // One file at a time, whatever the cores (node's `--test-concurrency` is not in
            // Node 18): the suites share one server, and some assert how soon a call ends.
            // Every file runs; the failed ones are named at the end.
            let mut failed = Vec::new();
            for file in TEST_FILES {
                let ran = process::run(
                    env.command("node")
                        .current_dir(&www)
                        .args(["--test", "--test-reporter=spec", file])
                        .env("GRPC_WEB_TEST_SERVER", &server.url)
                        .env("GRPC_WEB_TEST_FAULT_SERVER", &fault.url)
                        .env("CHROMEDRIVER", driver)
                        .env("CHROMIUM", &chromium)
                        .env("CHROMIUM_ARGS", format!("[{}]", args.join(","))),
                );
                if ran.is_err() {
                    failed.push(*file);
                }
            }
            if failed.is_empty() {
                Ok(())
            } else {
                Err(format!("www tests failed: {}", failed.join(", ")))
            }
        },
    )
}

/// The www tests run in Chromium, in this order (`npm test` lists the same).
const TEST_FILES: &[&str] = &[
    "test/page.test.mjs",
    "test/api-unary.test.mjs",
    "test/api-streams.test.mjs",
    "test/api-errors.test.mjs",
    "test/api-dynamic.test.mjs",
    "test/connect-es.test.mjs",
    "test/loading.test.mjs",
    "test/batch.test.mjs",
    "test/gzip.test.mjs",
];

/// `npm` in `dir`, with its cache in the project's cache (content-addressed, so shared
/// across versions and checkouts).
pub(crate) fn npm(env: &Env, dir: &Path) -> std::process::Command {
    let mut cmd = env.command("npm");
    cmd.current_dir(dir)
        .env("npm_config_cache", crate::cache_dir().join("npm"))
        .env("npm_config_update_notifier", "false");
    cmd
}

fn write_descriptors(www: &Path) -> Result {
    let set = protox::compile(PROTOS, [crate::root().join("proto")])
        .map_err(|e| format!("compiling {}: {e}", PROTOS.join(", ")))?;
    let dir = www.join("generated");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("demo.binpb");
    std::fs::write(&path, set.encode_to_vec())
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
    note(format!("{} ({} files)", path.display(), set.file.len()));
    Ok(())
}

/// The .proto files protoc-gen-es generates code for (the connect-es tests' clients).
const ES_PROTOS: &[&str] = &[
    "demo/v1/users.proto",
    "demo/v1/telemetry.proto",
    "grpc/testing/empty.proto",
    "grpc/testing/messages.proto",
    "grpc/testing/test.proto",
];

/// Runs protoc-gen-es (from www's node_modules) as a protoc plugin: the descriptors compiled
/// by protox go in as a `CodeGeneratorRequest`, the files come back in its response and are
/// written to `www/generated/es/`. No protoc, no buf.
fn generate_es(env: &Env, www: &Path) -> Result {
    use prost_types::compiler::{CodeGeneratorRequest, CodeGeneratorResponse};
    use std::io::Write;

    let set = protox::compile(ES_PROTOS, [crate::root().join("proto")])
        .map_err(|e| format!("compiling {}: {e}", ES_PROTOS.join(", ")))?;
    let request = CodeGeneratorRequest {
        file_to_generate: ES_PROTOS.iter().map(|p| p.to_string()).collect(),
        parameter: Some("target=js+dts,import_extension=js".into()),
        proto_file: set.file,
        ..Default::default()
    };
    let plugin = www.join("node_modules").join(".bin").join("protoc-gen-es");
    let mut child = env
        .command("node")
        .arg(&plugin)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", plugin.display()))?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(&request.encode_to_vec())
        .map_err(|e| format!("writing to protoc-gen-es: {e}"))?;
    let out = child
        .wait_with_output()
        .map_err(|e| format!("protoc-gen-es: {e}"))?;
    if !out.status.success() {
        return Err(format!("protoc-gen-es failed: {}", out.status));
    }
    let response = CodeGeneratorResponse::decode(&out.stdout[..])
        .map_err(|e| format!("protoc-gen-es's response: {e}"))?;
    if let Some(error) = response.error {
        return Err(format!("protoc-gen-es: {error}"));
    }
    let dir = www.join("generated").join("es");
    let _ = std::fs::remove_dir_all(&dir);
    for file in &response.file {
        let name = file
            .name
            .as_deref()
            .ok_or("a generated file without a name")?;
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&path, file.content.as_deref().unwrap_or_default())
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    note(format!(
        "{} files in {}",
        response.file.len(),
        dir.display()
    ));
    Ok(())
}
