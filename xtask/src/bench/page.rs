//! The benchmark page: the harness copied into the site, Chromium started on it (with the
//! CPU profiler attached for `--profile`), and the check that it ran cross-origin isolated.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use super::report::Report;
use super::{profile, site};
use crate::setup::Env;
use crate::ui::note;
use crate::Result;

/// Whether the page was cross-origin isolated, so its latencies had a fine clock: a note
/// when it was not, an error in the quick run.
pub fn check_isolated(report: &Report, quick: bool) -> Result {
    if report.isolated == Some(true) {
        return Ok(());
    }
    let why = "the benchmark page was not cross-origin isolated: performance.now() was coarse \
               and latencies are on its grid (site.rs sends COOP and COEP)";
    if quick {
        return Err(why.into());
    }
    note(format!("warning: {why}"));
    Ok(())
}

/// Copies bench/harness into the site.
pub fn copy_harness(site: &Path) -> Result {
    let harness = crate::root().join("bench").join("harness");
    for entry in std::fs::read_dir(&harness).map_err(|e| format!("{}: {e}", harness.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        std::fs::copy(entry.path(), site.join(entry.file_name()))
            .map_err(|e| format!("copying {}: {e}", entry.path().display()))?;
    }
    Ok(())
}

/// Opens the harness in headless Chromium and waits for its results; with `profile_to`, takes
/// a CPU profile of the page meanwhile and writes it and its summary there.
pub fn run_page(
    env: &Env,
    site: &site::Site,
    limit: Duration,
    profile_to: Option<&Path>,
) -> Result<String> {
    let user_data =
        std::env::temp_dir().join(format!("grpc-web-wasm-bench-{}", std::process::id()));
    let mut chromium = env.command("chromium");
    chromium
        .args(crate::test::CHROMIUM_FLAGS)
        .args([
            // Precise heap figures and gc() for the memory workload; no throttling of a page
            // nobody looks at.
            "--enable-precise-memory-info",
            "--js-flags=--expose-gc",
            "--disable-background-timer-throttling",
            "--disable-renderer-backgrounding",
            "--disable-backgrounding-occluded-windows",
        ])
        .arg(format!("--user-data-dir={}", user_data.display()));
    if profile_to.is_some() {
        // Port 0: Chromium picks a free one and writes it into the profile directory.
        chromium.arg("--remote-debugging-port=0");
    }
    let mut chromium = chromium
        .arg(format!("{}/index.html", site.url))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start chromium: {e}"))?;
    let result = (|| {
        let Some(dir) = profile_to else {
            return site.wait(limit);
        };
        let profiler =
            profile::Profiler::start(&user_data, "/index.html", Duration::from_secs(30))?;
        let rows = site.wait(limit)?;
        let taken = profiler.stop()?;
        let file = dir.join("profile.cpuprofile");
        std::fs::write(&file, taken.to_string()).map_err(|e| format!("{}: {e}", file.display()))?;
        let summary = dir.join("profile.md");
        std::fs::write(&summary, profile::summary(&taken, 25)?)
            .map_err(|e| format!("{}: {e}", summary.display()))?;
        note(format!(
            "wrote {} and {}",
            file.display(),
            summary.display()
        ));
        Ok(rows)
    })();
    let _ = chromium.kill();
    let _ = chromium.wait();
    let _ = std::fs::remove_dir_all(&user_data);
    result
}
