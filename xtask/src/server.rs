//! The demo server as a child process: started, awaited until it listens, and stopped
//! when dropped, so no run leaves a server behind.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
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
        let mut command = Command::new(binary);
        // Request logs for every test call would bury the test output: warnings only,
        // unless the caller asked for more.
        if std::env::var_os("RUST_LOG").is_none() {
            command.env("RUST_LOG", "warn");
        }
        let mut child = command
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

impl Server {
    /// Stops the server with SIGTERM, so that it drains, and waits up to `limit` for it to
    /// exit (then kills it).
    pub fn terminate(&mut self, limit: Duration) -> crate::Result {
        let pid = self.child.id().to_string();
        crate::process::run(Command::new("kill").args(["-TERM", &pid]))?;
        let start = std::time::Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!(
            "the server did not exit within {limit:?} of SIGTERM"
        ))
    }

    /// The process id, to read its memory and descriptors from `/proc`.
    pub fn pid(&self) -> u32 {
        self.child.id()
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

/// A reply to [`get`].
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The `content-type` header, if any.
    pub content_type: Option<String>,
    /// The body (the server sends static files with a length, not chunked).
    pub body: Vec<u8>,
}

/// A plain HTTP/1.1 GET of `path` from `base` (`http://host:port`).
pub fn get(base: &str, path: &str) -> crate::Result<Reply> {
    let host = base.strip_prefix("http://").ok_or("want an http:// URL")?;
    let mut stream = TcpStream::connect(host).map_err(|e| format!("connect {host}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("GET {path}: {e}"))?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("GET {path}: no HTTP head in the reply"))?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("GET {path}: bad status line"))?;
    let content_type = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.trim().to_string());
    Ok(Reply {
        status,
        content_type,
        body: raw[split + 4..].to_vec(),
    })
}
