//! Running child processes with clear errors.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `cmd` with inherited output; fails unless it exits 0.
pub fn run(cmd: &mut Command) -> crate::Result {
    let shown = show(cmd);
    crate::ui::note(format!("$ {shown}"));
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Runs `cmd` quietly and returns its trimmed stdout, or `None` if it cannot start or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs `cmd` (output inherited) but kills it after `limit`; `Ok(false)` on failure or timeout.
pub fn run_with_timeout(cmd: &mut Command, limit: Duration) -> crate::Result<bool> {
    let shown = show(cmd);
    crate::ui::note(format!("$ {shown}   (time limit {}s)", limit.as_secs()));
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Ok(status.success());
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            crate::ui::note(format!("`{shown}` timed out"));
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The command line as a copy-pasteable string (environment overrides first).
pub fn show(cmd: &Command) -> String {
    let mut parts: Vec<String> = cmd
        .get_envs()
        // PATH is long and always the same prefix, and removed variables print nothing.
        .filter(|(k, _)| *k != "PATH")
        .filter_map(|(k, v)| Some(format!("{}={}", k.to_string_lossy(), v?.to_string_lossy())))
        .collect();
    parts.push(cmd.get_program().to_string_lossy().into_owned());
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}
