//! The fleet's control endpoint, for tests that run in a browser: `GET /kill/N` kills
//! replica N at once, `GET /restart/N` restarts it in the background (the reply does not
//! wait for it), `GET /running/N` answers 200 if it runs (503 if not), and `GET /note/TEXT`
//! prints TEXT in xtask's output (the test's figures). Any origin may call it; it listens
//! on loopback only.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::Replicas;

/// A running control endpoint; stops accepting when dropped.
pub struct Control {
    /// Its base URL.
    pub url: String,
    stop: Arc<AtomicBool>,
}

impl Control {
    /// Serves control requests for `replicas` on a free loopback port.
    pub fn start(replicas: Replicas) -> crate::Result<Control> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let url = format!(
            "http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let _ = serve(stream, &replicas);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Ok(Control { url, stop })
    }
}

impl Drop for Control {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(mut stream: TcpStream, replicas: &Replicas) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 8192 {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split(' ').nth(1).unwrap_or("");
    let mut parts = path.trim_start_matches('/').split('/');
    let (action, index) = (parts.next(), parts.next().and_then(|i| i.parse().ok()));
    let outcome = match (action, index) {
        (Some("kill"), Some(i)) => replicas.kill(i),
        (Some("restart"), Some(i)) => {
            replicas.restart_in_background(i);
            Ok(())
        }
        (Some("running"), Some(i)) if replicas.running(i) => Ok(()),
        (Some("running"), Some(_)) => Err("not running".into()),
        (Some("note"), _) => {
            let text = path.trim_start_matches("/note/").replace("%20", " ");
            crate::ui::note(format!("fleet test: {text}"));
            Ok(())
        }
        _ => Err(format!("unknown control request {path}")),
    };
    let (status, body) = match outcome {
        Ok(()) => ("200 OK", "ok".to_string()),
        Err(e) if action == Some("running") => ("503 Service Unavailable", e),
        Err(e) => ("500 Internal Server Error", e),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\naccess-control-allow-origin: *\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}
