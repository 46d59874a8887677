//! The browser suites: each built for wasm32 and run by wasm-bindgen-test-runner in headless
//! Chromium against the test servers, plus the `wasm-pack test` worker suite.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::process;
use crate::setup::Env;
use crate::test_servers::TestServers;
use crate::toolchain::WASM;
use crate::ui::step;
use crate::Result;

/// Per-test time limit in the browser, generous for a loaded 2-core CI machine.
const BROWSER_TEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The browser test suites: (package, test target). The client's suites live in
/// `browser-tests/`, a crate of their own, so `wasm-pack test` links one copy of the client.
const BROWSER_SUITES: &[(&str, &str)] = &[
    ("browser-tests", "web"),
    ("browser-tests", "worker"),
    ("browser-tests", "codegen"),
    ("browser-tests", "tonic_compat"),
    // Against a fleet (3 replicas behind nginx sharing a Redis), one killed and one
    // restarted mid-run; started for this suite only.
    ("browser-tests", "fleet"),
    // The client with feature `browser-gzip` instead of `gzip` (see `suite_features`).
    ("browser-tests", "browser_gzip"),
    ("demo-app", "ui"),
];

/// Cargo feature arguments a suite is built with, beyond its package's defaults.
fn suite_features(test: &str) -> &'static [&'static str] {
    match test {
        // Without flate2, so that the browser's Compression Streams do the gzip.
        "browser_gzip" => &["--no-default-features", "--features", "browser-gzip"],
        _ => &[],
    }
}

pub(super) fn browser_tests(env: &Env, binary: &Path, only: &[String]) -> Result {
    let servers = TestServers::start(binary)?;
    let driver = env.chromedriver.as_ref().ok_or("no chromedriver")?;
    let webdriver = write_webdriver_json()?;
    let selected = BROWSER_SUITES
        .iter()
        .filter(|(package, test)| only.is_empty() || only.contains(&format!("{package}/{test}")));
    for (package, test) in selected {
        // Started only for its suite, and stopped right after it.
        let fleet = match *test {
            "fleet" => {
                let fleet = crate::fleet::Fleet::start(binary, 3)?;
                let control = crate::fleet::Control::start(fleet.replicas.clone())?;
                Some((fleet, control))
            }
            _ => None,
        };
        let mut cmd = env.cargo_wasm();
        cmd.args([
            "test",
            "--package",
            package,
            "--target",
            WASM,
            "--test",
            test,
        ])
        .args(suite_features(test))
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .env("CHROMEDRIVER", driver)
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &webdriver)
        .env(
            "WASM_BINDGEN_TEST_TIMEOUT",
            suite_timeout(test).as_secs().to_string(),
        )
        .envs(servers.vars());
        if let Some((fleet, control)) = &fleet {
            cmd.env("GRPC_WEB_TEST_FLEET", &fleet.url)
                .env("GRPC_WEB_TEST_FLEET_REPLICAS", fleet.replica_urls.join(","))
                .env("GRPC_WEB_TEST_FLEET_CONTROL", &control.url);
        }
        run_suite(&mut cmd)?;
    }
    if only.is_empty() {
        step(
            "browser: wasm-pack test --headless --chrome browser-tests",
            || crate::test_servers::wasm_pack_test(env, &servers, driver, &webdriver, "worker"),
        )?;
    }
    // The servers and the fixture stop when dropped.
    Ok(())
}

/// Runs a browser suite, once more if its page never started a test.
///
/// wasm-bindgen-test-runner 0.2.130 serves the page and its JS snippets itself; now and then
/// one snippet's request stalls in its file server (seen in the page's resource timing:
/// `inline3.js` pending for 299.8 s, the page at "Loading scripts..."). The page never
/// loads; chromedriver gives up after [`PAGE_LOAD_LIMIT`] (its default of 300 s before that
/// was set) and the runner fails without a test having run. No test ran, so a second run
/// says everything the first would have; a suite whose tests did start is never rerun, and
/// a page that fails to load twice fails the run.
pub(crate) fn run_suite(cmd: &mut std::process::Command) -> Result {
    for attempt in 1..=2 {
        let (ok, output) = process::run_capturing(cmd)?;
        if ok {
            return Ok(());
        }
        if !never_started(&output) || attempt == 2 {
            break;
        }
        crate::ui::note(
            "the test page never started a test (a snippet's request stalled in the runner's \
             file server); running the suite once more",
        );
    }
    Err(format!("`{}` failed", process::show(cmd)))
}

/// Whether a failed suite's output shows a page that never started a test: no "running N
/// tests" from the page, and the runner's "Failed to detect" or chromedriver's page load
/// timeout ("Timed out receiving message from renderer", after which the runner's next
/// request fails too).
fn never_started(output: &str) -> bool {
    (output.contains("Failed to detect test as having been run")
        || output.contains("Timed out receiving message from renderer"))
        && !output
            .lines()
            .any(|l| l.trim_start().starts_with("running "))
}

/// How long chromedriver waits for a test page's load event. The page loads in under 2 s
/// (the tests run after it: the web suite passed with a 2 s limit, its tests taking 26 s),
/// so a load that takes this long is the runner's stalled snippet, which otherwise holds
/// the run for chromedriver's default 300 s before the rerun.
const PAGE_LOAD_LIMIT: Duration = Duration::from_secs(30);

/// The capabilities wasm-bindgen-test-runner gives chromedriver: the Chromium on PATH with
/// [`CHROMIUM_FLAGS`], and [`PAGE_LOAD_LIMIT`], written under the target dir so the flags
/// have one source.
fn write_webdriver_json() -> Result<PathBuf> {
    let binary = crate::tools::which("chromium").ok_or("chromium is not on PATH")?;
    let quoted: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| format!("{f:?}")).collect();
    let json = format!(
        "{{ \"timeouts\": {{ \"pageLoad\": {} }}, \"goog:chromeOptions\": {{ \"binary\": {:?}, \"args\": [{}] }} }}\n",
        PAGE_LOAD_LIMIT.as_millis(),
        binary.display().to_string(),
        quoted.join(", ")
    );
    let path = crate::host_target_dir()
        .join("xtask")
        .join("webdriver.json");
    std::fs::create_dir_all(path.parent().expect("has a parent")).map_err(|e| e.to_string())?;
    std::fs::write(&path, json).map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(path)
}

/// Headless Chromium as root on a machine without internet: no sandbox, no background
/// traffic (the closed network refuses it, noisily). Flags contain no characters that
/// Rust's `{:?}` would escape differently from JSON.
pub(crate) const CHROMIUM_FLAGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
];

/// The time limit of one browser test: the fleet soak (`GRPC_WEB_TEST_FLEET_CALLS`) gets
/// 20 ms a call on top.
fn suite_timeout(test: &str) -> Duration {
    let calls = std::env::var("GRPC_WEB_TEST_FLEET_CALLS")
        .ok()
        .and_then(|n| n.parse::<u64>().ok());
    match (test, calls) {
        ("fleet", Some(calls)) => BROWSER_TEST_TIMEOUT + Duration::from_millis(calls * 20),
        _ => BROWSER_TEST_TIMEOUT,
    }
}

#[cfg(test)]
mod tests {
    use super::never_started;

    #[test]
    fn only_a_page_that_never_started_a_test_is_rerun() {
        let stalled = "Running headless tests in Chrome on `http://127.0.0.1:1/`\nOk\n\
                       Loading scripts...Failed to detect test as having been run. It might have timed out.";
        assert!(never_started(stalled));
        let page_load_timeout = "Running headless tests in Chrome on `http://127.0.0.1:1/`\nOk\n\
                                 driver stderr:\n    [1.2][SEVERE]: Timed out receiving message from renderer: 30.000\n\
                                 Error: missing field `chunk`";
        assert!(never_started(page_load_timeout));
        let hung_test = "Loading scripts...\nrunning 66 tests\ntest a ... ok\n\
                         Failed to detect test as having been run. It might have timed out.";
        assert!(!never_started(hung_test));
        assert!(!never_started(
            "running 2 tests\ntest a ... FAILED\ntest result: FAILED"
        ));
    }
}
