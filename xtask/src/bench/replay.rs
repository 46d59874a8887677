//! The replay server: answers each request with the byte-identical response the real
//! server gave to the same request (same status line, headers, body and chunk framing),
//! written in one go, so a client's figure against it is the client's own cost and not the
//! server's.
//!
//! It records by proxying: the first time a request is seen (the harness's warm-up round),
//! it is forwarded to the upstream server and its response kept; from then on it is
//! replayed from memory. Requests are told apart by method, path, content type, origin,
//! the CORS preflight's requested headers, and body.

use std::collections::HashMap;
use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::http::{self, Message, Side};

type Recordings = Arc<Mutex<HashMap<Vec<u8>, Arc<Vec<u8>>>>>;

/// A running replay server; stops accepting when dropped.
pub struct Replay {
    /// Its base URL.
    pub url: String,
    addr: std::net::SocketAddr,
    recorded: Recordings,
    stop: Arc<AtomicBool>,
}

impl Replay {
    /// Listens on a free loopback port, recording from `upstream` (`http://host:port`).
    pub fn start(upstream: &str) -> crate::Result<Replay> {
        let upstream = upstream
            .strip_prefix("http://")
            .ok_or("replay: upstream must be http://")?
            .trim_end_matches('/')
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("replay: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let recorded: Recordings = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (rec, halt) = (recorded.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if halt.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (rec, upstream) = (rec.clone(), upstream.clone());
                std::thread::spawn(move || {
                    if let Err(e) = serve(conn, &upstream, &rec) {
                        crate::ui::note(format!("[replay] connection ended: {e}"));
                    }
                });
            }
        });
        Ok(Replay {
            url: format!("http://{addr}"),
            addr,
            recorded,
            stop,
        })
    }

    /// How many responses are recorded, and their total size in bytes.
    pub fn recorded(&self) -> (usize, usize) {
        let map = self.recorded.lock().expect("not poisoned");
        (map.len(), map.values().map(|r| r.len()).sum())
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(conn: TcpStream, upstream: &str, recorded: &Recordings) -> std::io::Result<()> {
    conn.set_nodelay(true)?;
    let mut reader = BufReader::with_capacity(256 * 1024, conn.try_clone()?);
    let mut writer = conn;
    while let Some(request) = http::read(&mut reader, Side::Request)? {
        let key = key(&request);
        let known = recorded.lock().expect("not poisoned").get(&key).cloned();
        let response = match known {
            Some(r) => r,
            None => {
                let r = Arc::new(forward(upstream, &request)?);
                recorded
                    .lock()
                    .expect("not poisoned")
                    .insert(key, r.clone());
                r
            }
        };
        writer.write_all(&response)?;
    }
    Ok(())
}

fn key(request: &Message) -> Vec<u8> {
    let (method, path) = request.method_path();
    let mut key = Vec::with_capacity(request.body().len() + 256);
    for part in [
        method,
        path,
        request.header("content-type").unwrap_or(""),
        request.header("origin").unwrap_or(""),
        request
            .header("access-control-request-headers")
            .unwrap_or(""),
    ] {
        key.extend_from_slice(part.as_bytes());
        key.push(0);
    }
    key.extend_from_slice(request.body());
    key
}

/// Sends `request` as received to the upstream server and returns its response's bytes.
fn forward(upstream: &str, request: &Message) -> std::io::Result<Vec<u8>> {
    let mut conn = TcpStream::connect(upstream)?;
    conn.set_nodelay(true)?;
    conn.write_all(&request.raw)?;
    let mut reader = BufReader::with_capacity(256 * 1024, conn);
    let response = http::read(&mut reader, Side::Response)?.ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "upstream closed without a response",
        )
    })?;
    Ok(response.raw)
}
