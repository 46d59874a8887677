//! The demo server as a child process: started, awaited until it listens, and stopped
//! when dropped, so no run leaves a server behind.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::ui::note;

/// A running server.
pub struct Server {
    child: Child,
    /// Its base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
}

impl Server {
    /// Starts the built server binary with `args` and waits (up to 30 s) for its
    /// `listening on http://…` line. Its later output goes to this process's stdout.
    pub fn start(binary: &Path, args: &[&str]) -> crate::Result<Server> {
        note(format!("$ {} {}", binary.display(), args.join(" ")));
        let mut child = Command::new(binary)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                println!("    [server] {line}");
                if !sent {
                    if let Some(url) = line.strip_prefix("listening on ") {
                        sent = tx.send(url.trim().to_string()).is_ok();
                    }
                }
            }
        });
        let mut server = Server {
            child,
            url: String::new(),
        };
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => {
                server.url = url;
                Ok(server)
            }
            Err(_) => {
                let status = server.child.try_wait().ok().flatten();
                Err(match status {
                    Some(s) => format!("the server exited before listening ({s})"),
                    None => "the server did not report listening within 30 s".into(),
                })
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A loopback URL where nothing listens: a port the OS just handed out, closed again.
pub fn dead_url() -> crate::Result<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    Ok(format!("http://{addr}"))
}
