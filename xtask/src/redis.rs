//! Debian's redis-server as a child process on a free loopback port, for the fleet's shared
//! store: installed if missing, started without persistence, and killed when dropped.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::ui::note;

/// A running redis-server.
pub struct RedisServer {
    child: Child,
    /// `redis://127.0.0.1:PORT`, as the server's `--store` takes it.
    pub url: String,
}

/// The redis-server binary, installed from Debian if missing.
pub fn ensure() -> crate::Result<PathBuf> {
    if let Some(path) = crate::tools::which("redis-server") {
        return Ok(path);
    }
    crate::tools::apt_install(&["redis-server"])?;
    crate::tools::which("redis-server").ok_or_else(|| "redis-server is still not on PATH".into())
}

impl RedisServer {
    /// Starts one on a free loopback port and waits (up to 10 s) until it accepts.
    pub fn start() -> crate::Result<RedisServer> {
        let binary = ensure()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let mut cmd = Command::new(binary);
        cmd.args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null());
        note(format!("$ {}", crate::process::show(&cmd)));
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start redis-server: {e}"))?;
        let server = RedisServer {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed() > Duration::from_secs(10) {
                return Err(format!(
                    "redis-server did not listen on port {port} within 10 s"
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(server)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
