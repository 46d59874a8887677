//! A misbehaving HTTP peer for the client's error-path browser tests: it answers each path
//! with fixed bytes that a real gRPC-Web server never sends, but a proxy, a crash or a broken
//! server can. It runs on a thread of xtask for the duration of the browser tests.
//!
//! Every reply admits any origin (CORS), so what the tests see is the bytes, not a refusal.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The fixture's replies: path → (status line, content type, body).
fn reply(path: &str) -> (&'static str, &'static str, Vec<u8>) {
    const GRPC_WEB: &str = "application/grpc-web+proto";
    let frame = |flags: u8, payload: &[u8]| {
        let mut f = vec![flags];
        f.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        f.extend_from_slice(payload);
        f
    };
    match path {
        // A proxy's error page.
        "/html-502/demo.v1.UserService/GetUser" => (
            "502 Bad Gateway",
            "text/html; charset=utf-8",
            b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec(),
        ),
        // A static host answering 200 with its index page.
        "/html-200/demo.v1.UserService/GetUser" => (
            "200 OK",
            "text/html",
            b"<!doctype html><title>app</title>".to_vec(),
        ),
        // A frame whose length prefix claims 4 GiB - 1.
        "/huge/demo.v1.UserService/GetUser" => {
            let mut body = vec![0, 0xff, 0xff, 0xff, 0xff];
            body.extend_from_slice(&[0; 64]);
            ("200 OK", GRPC_WEB, body)
        }
        // The body ends in the middle of a message.
        "/truncated/demo.v1.UserService/GetUser" => {
            let mut body = frame(0, &[0x08, 0x01, 0x12, 0x03]);
            body.truncate(7);
            ("200 OK", GRPC_WEB, body)
        }
        // A whole message, then the end: no trailers.
        "/no-trailers/demo.v1.UserService/GetUser" => ("200 OK", GRPC_WEB, frame(0, &[0x08, 0x01])),
        // Reserved flag bits set.
        "/bad-flags/demo.v1.UserService/GetUser" => ("200 OK", GRPC_WEB, frame(0x40, &[])),
        // Bytes that are not the message type: a length-delimited field cut short.
        "/bad-message/demo.v1.UserService/GetUser" => {
            let mut body = frame(0, &[0x12, 0x7f, b'x']);
            body.extend(frame(0x80, b"grpc-status: 0\r\n"));
            ("200 OK", GRPC_WEB, body)
        }
        _ => ("404 Not Found", "text/plain", b"no such fixture".to_vec()),
    }
}

/// A running fixture; stops accepting when dropped.
pub struct Fixture {
    /// Its base URL.
    pub url: String,
    stop: Arc<AtomicBool>,
}

impl Fixture {
    /// Binds a free loopback port and serves on a background thread.
    pub fn start() -> crate::Result<Fixture> {
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
                        std::thread::spawn(move || {
                            let _ = serve(stream);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Ok(Fixture { url, stop })
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// One request per connection: read the head and body, answer, close.
fn serve(mut stream: TcpStream) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return Ok(());
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut request_line = head.lines().next().unwrap_or("").split(' ');
    let method = request_line.next().unwrap_or("");
    let path = request_line.next().unwrap_or("");
    let header = |name: &str| {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
    };
    // Drain the request body so the browser sees a clean exchange.
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut have = buf.len() - head_end;
    while have < length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        have += n;
    }

    let origin = header("origin").unwrap_or_else(|| "*".into());
    let cors = format!(
        "access-control-allow-origin: {origin}\r\nvary: origin\r\n\
         access-control-allow-methods: POST\r\naccess-control-allow-headers: *\r\n\
         access-control-expose-headers: grpc-status, grpc-message\r\n"
    );
    if method == "OPTIONS" {
        write!(
            stream,
            "HTTP/1.1 204 No Content\r\n{cors}content-length: 0\r\nconnection: close\r\n\r\n"
        )?;
        return Ok(());
    }
    let (status, content_type, body) = reply(path);
    write!(
        stream,
        "HTTP/1.1 {status}\r\n{cors}content-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    stream.flush()
}
