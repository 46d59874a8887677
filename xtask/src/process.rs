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

/// Runs `cmd`, passing its output through as it comes, and returns whether it exited 0 and
/// what it wrote to both streams (interleaved by line, as read).
pub fn run_capturing(cmd: &mut Command) -> crate::Result<(bool, String)> {
    use std::io::{BufRead, BufReader, Write};
    let shown = show(cmd);
    crate::ui::note(format!("$ {shown}"));
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let mut readers = Vec::new();
    let out = child
        .stdout
        .take()
        .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>);
    let err = child
        .stderr
        .take()
        .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>);
    for (stream, to_stderr) in [(out, false), (err, true)] {
        let Some(stream) = stream else { continue };
        let tx = tx.clone();
        readers.push(std::thread::spawn(move || {
            for line in BufReader::new(stream)
                .lines()
                .map_while(std::result::Result::ok)
            {
                if to_stderr {
                    let _ = writeln!(std::io::stderr(), "{line}");
                } else {
                    let _ = writeln!(std::io::stdout(), "{line}");
                }
                let _ = tx.send(line);
            }
        }));
    }
    drop(tx);
    let status = child.wait().map_err(|e| format!("`{shown}`: {e}"))?;
    for reader in readers {
        let _ = reader.join();
    }
    let captured: Vec<String> = rx.into_iter().collect();
    // Inherit again, for whoever runs `cmd` next.
    cmd.stdout(Stdio::inherit()).stderr(Stdio::inherit());
    Ok((status.success(), captured.join("\n")))
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
