//! The fleet's control endpoint, for tests that run in a browser: `GET /kill/N` kills
//! replica N at once, `GET /restart/N` restarts it in the background (the reply does not
//! wait for it), `GET /running/N` answers 200 if it runs (503 if not), and `GET /note/TEXT`
//! prints TEXT in xtask's output (the test's figures). Any origin may call it; it listens
//! on loopback only.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::Replicas;
use crate::loopback::Peer;

/// A running control endpoint; stops accepting when dropped.
pub struct Control {
    /// Its base URL.
    pub url: String,
    _peer: Peer,
}

impl Control {
    /// Serves control requests for `replicas` on a free loopback port.
    pub fn start(replicas: Replicas) -> crate::Result<Control> {
        let peer = Peer::start(move |stream| {
            let _ = serve(stream, &replicas);
        })?;
        Ok(Control {
            url: peer.url.clone(),
            _peer: peer,
        })
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
