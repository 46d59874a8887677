//! A misbehaving HTTP peer for the client's error-path browser tests: it answers each path
//! with fixed bytes that a real gRPC-Web server never sends, but a proxy, a crash or a broken
//! server can. It runs on a thread of xtask for the duration of the browser tests.
//!
//! Every reply admits any origin (CORS), so what the tests see is the bytes, not a refusal.

mod encode;
mod gzip;
mod peers;
mod retry;
mod split;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use encode::{base64, frame};

/// One reply: status line, content type, extra header lines, body.
type Reply = (&'static str, &'static str, String, Vec<u8>);

/// Connections to `/stall/` that the client closed while the fixture was still waiting.
static HANGUPS: AtomicUsize = AtomicUsize::new(0);

/// The fixture's replies by path; `request_headers` are the request's header lines.
fn reply(path: &str, request_headers: &[(String, String)]) -> Reply {
    const GRPC_WEB: &str = "application/grpc-web+proto";
    let gzip_header = "grpc-encoding: gzip\r\n".to_string();
    match path {
        // How many stalled replies the client abandoned, as UserResponse.user_id.
        "/hangups/demo.v1.UserService/GetUser" => {
            let count = HANGUPS.load(Ordering::SeqCst) as u8;
            let mut body = frame(0, &[0x08, count]);
            body.extend(frame(0x80, b"grpc-status: 0\r\n"));
            ("200 OK", GRPC_WEB, String::new(), body)
        }
        // Trailers that echo every request header as `x-echo-<name>`, after an empty
        // message: shows what the client put on the wire (grpc-timeout, -bin encodings).
        "/echo-headers/demo.v1.UserService/GetUser" => {
            let mut trailers = String::from("grpc-status: 0\r\n");
            for (k, v) in request_headers {
                trailers.push_str(&format!("x-echo-{}: {v}\r\n", k.to_ascii_lowercase()));
            }
            let mut body = frame(0, &[]);
            body.extend(frame(0x80, trailers.as_bytes()));
            ("200 OK", GRPC_WEB, String::new(), body)
        }
        // Text mode, each frame base64-encoded on its own: padding mid-body.
        "/text-padded/demo.v1.UserService/GetUser" => {
            let message = [0x08, 0x07, 0x12, 0x01, b'z']; // user_id 7, name "z"
            let mut body = base64(&frame(0, &message));
            body.push_str(&base64(&frame(0x80, b"grpc-status: 0\r\n")));
            (
                "200 OK",
                "application/grpc-web-text+proto",
                String::new(),
                body.into_bytes(),
            )
        }
        // gzip-compressed message and compressed trailer frame (flags 0x81).
        "/gzip/demo.v1.UserService/GetUser" => {
            let mut body = frame(1, &gzip::stored(&[0x08, 0x09, 0x12, 0x02, b'g', b'z']));
            body.extend(frame(
                0x81,
                &gzip::stored(b"grpc-status: 0\r\nx-packed: yes\r\n"),
            ));
            ("200 OK", GRPC_WEB, gzip_header, body)
        }
        // 32 MiB of zeros from 200 KB, with a wrong CRC ([`gzip::bomb`]), then OK trailers.
        "/gzip-bomb/demo.v1.UserService/GetUser" => {
            let mut body = frame(1, &gzip::bomb(130_000));
            body.extend(frame(0x80, b"grpc-status: 0\r\n"));
            ("200 OK", GRPC_WEB, gzip_header, body)
        }
        // Messages 1 (plain), 2 (gzip), 3 (plain), then a compressed frame that is not gzip.
        "/gzip-corrupt/demo.v1.UserService/GetUser" => {
            let mut body = frame(0, &[0x08, 1]);
            body.extend(frame(1, &gzip::stored(&[0x08, 2])));
            body.extend(frame(0, &[0x08, 3]));
            body.extend(frame(1, &gzip::corrupt()));
            body.extend(frame(0x80, b"grpc-status: 0\r\n"));
            ("200 OK", GRPC_WEB, gzip_header, body)
        }
        // A compressed frame, but no grpc-encoding said how.
        "/compressed-no-encoding/demo.v1.UserService/GetUser" => {
            let mut body = frame(1, &gzip::stored(&[0x08, 0x01]));
            body.extend(frame(0x80, b"grpc-status: 0\r\n"));
            ("200 OK", GRPC_WEB, String::new(), body)
        }
        // A compressed frame in a scheme the client does not implement.
        "/unknown-encoding/demo.v1.UserService/GetUser" => {
            let mut body = frame(1, b"\x00\x01");
            body.extend(frame(0x80, b"grpc-status: 0\r\n"));
            ("200 OK", GRPC_WEB, "grpc-encoding: snappy\r\n".into(), body)
        }
        // A proxy's error page.
        "/html-502/demo.v1.UserService/GetUser" => (
            "502 Bad Gateway",
            "text/html; charset=utf-8",
            String::new(),
            b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec(),
        ),
        // A static host answering 200 with its index page.
        "/html-200/demo.v1.UserService/GetUser" => (
            "200 OK",
            "text/html",
            String::new(),
            b"<!doctype html><title>app</title>".to_vec(),
        ),
        // A frame whose length prefix claims 4 GiB - 1.
        "/huge/demo.v1.UserService/GetUser" => {
            let mut body = vec![0, 0xff, 0xff, 0xff, 0xff];
            body.extend_from_slice(&[0; 64]);
            ("200 OK", GRPC_WEB, String::new(), body)
        }
        // The body ends in the middle of a message.
        "/truncated/demo.v1.UserService/GetUser" => {
            let mut body = frame(0, &[0x08, 0x01, 0x12, 0x03]);
            body.truncate(7);
            ("200 OK", GRPC_WEB, String::new(), body)
        }
        // A whole message, then the end: no trailers.
        "/no-trailers/demo.v1.UserService/GetUser" => {
            ("200 OK", GRPC_WEB, String::new(), frame(0, &[0x08, 0x01]))
        }
        // Reserved flag bits set.
        "/bad-flags/demo.v1.UserService/GetUser" => {
            ("200 OK", GRPC_WEB, String::new(), frame(0x40, &[]))
        }
        // A grpc-status header (8) and a body: the body's frames and trailers decide.
        "/header-status-with-body/demo.v1.UserService/GetUser" => {
            let mut body = frame(0, &[0x08, 0x05]);
            body.extend(frame(0x80, b"grpc-status: 0\r\n"));
            ("200 OK", GRPC_WEB, "grpc-status: 8\r\n".into(), body)
        }
        // OK in the headers, an error in the body's trailers.
        "/header-ok-body-error/demo.v1.UserService/GetUser" => {
            let body = frame(
                0x80,
                b"grpc-status: 9\r\ngrpc-message: the%20body%20decides\r\n",
            );
            ("200 OK", GRPC_WEB, "grpc-status: 0\r\n".into(), body)
        }
        // Repeated keys, text and -bin, in the headers (which the browser joins) and the
        // trailers (separate lines), padded and not.
        "/repeated-metadata/demo.v1.UserService/GetUser" => {
            let mut body = frame(0, &[0x08, 0x01]);
            body.extend(frame(
                0x80,
                b"grpc-status: 0\r\nt-bin: AQ\r\nt-bin: Ag==\r\nt-text: a\r\nt-text: b\r\n",
            ));
            let extra = "x-bin: AQ\r\nx-bin: Ag==\r\nx-text: a\r\nx-text: b\r\n";
            ("200 OK", GRPC_WEB, extra.into(), body)
        }
        // An error status after response headers of its own.
        // Fifty messages (user ids 1..=50), then a frame with a reserved flag, in one write: the
        // reply fails in the middle of the chunk, in the same batch as the messages.
        "/messages-then-bad-frame/demo.v1.UserService/GetUser" => {
            let mut body: Vec<u8> = (1..=50u8).flat_map(|id| frame(0, &[0x08, id])).collect();
            body.extend(frame(0x40, &[]));
            ("200 OK", GRPC_WEB, String::new(), body)
        }
        "/error-with-headers/demo.v1.UserService/GetUser" => {
            let body = frame(0x80, b"grpc-status: 5\r\ngrpc-message: gone\r\n");
            ("200 OK", GRPC_WEB, "x-served-by: fixture\r\n".into(), body)
        }
        // A status with no message at all.
        "/no-message/demo.v1.UserService/GetUser" => {
            ("200 OK", GRPC_WEB, "grpc-status: 12\r\n".into(), Vec::new())
        }
        // 2xx other than 200: not a gRPC reply, whatever the body holds.
        "/http-204/demo.v1.UserService/GetUser" => {
            ("204 No Content", GRPC_WEB, String::new(), Vec::new())
        }
        "/http-206/demo.v1.UserService/GetUser" => {
            let mut body = frame(0, &[0x08, 0x01]);
            body.extend(frame(0x80, b"grpc-status: 0\r\n"));
            ("206 Partial Content", GRPC_WEB, String::new(), body)
        }
        // Bytes that are not the message type: a length-delimited field cut short.
        "/bad-message/demo.v1.UserService/GetUser" => {
            let mut body = frame(0, &[0x12, 0x7f, b'x']);
            body.extend(frame(0x80, b"grpc-status: 0\r\n"));
            ("200 OK", GRPC_WEB, String::new(), body)
        }
        _ => (
            "404 Not Found",
            "text/plain",
            String::new(),
            b"no such fixture".to_vec(),
        ),
    }
}

/// A running fixture; stops accepting when dropped.
pub struct Fixture {
    /// Its base URL.
    pub url: String,
    _peer: crate::loopback::Peer,
}

impl Fixture {
    /// Binds a free loopback port and serves on a background thread.
    pub fn start() -> crate::Result<Fixture> {
        let peer = crate::loopback::Peer::start(|stream| {
            let _ = serve(stream);
        })?;
        Ok(Fixture {
            url: peer.url.clone(),
            _peer: peer,
        })
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
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    // Drain the request body so the browser sees a clean exchange.
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    let mut have = body.len();
    while have < length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        have += n;
        // Kept only for /echo-body/ (small requests); the rest is just drained.
        if body.len() < 1 << 20 {
            body.extend_from_slice(&chunk[..n]);
        }
    }

    let origin = header("origin").unwrap_or_else(|| "*".into());
    let cors = format!(
        "access-control-allow-origin: {origin}\r\nvary: origin\r\n\
         access-control-allow-methods: POST\r\naccess-control-allow-headers: *\r\n\
         access-control-expose-headers: grpc-status, grpc-message, grpc-encoding, x-bin, \
         x-text, x-served-by, grpc-retry-pushback-ms\r\n"
    );
    if method == "OPTIONS" {
        write!(
            stream,
            "HTTP/1.1 204 No Content\r\n{cors}content-length: 0\r\nconnection: close\r\n\r\n"
        )?;
        return Ok(());
    }
    if path == "/stall/demo.v1.UserService/GetUser" {
        return peers::stall(stream, &cors, 1);
    }
    // Eight messages in one write, so a client reads them as one chunk, then the stall.
    if path == "/stall-batch/demo.v1.UserService/GetUser" {
        return peers::stall(stream, &cors, 8);
    }
    if let Some(rest) = path.strip_prefix("/split/") {
        return split::serve(stream, &cors, rest.split('/').next().unwrap_or_default());
    }
    if let Some(rest) = path.strip_prefix("/retry/") {
        return retry::serve(stream, &cors, rest, &headers);
    }
    if let Some(rest) = path.strip_prefix("/quirky") {
        return peers::quirky(stream, &cors, rest, &headers);
    }
    let (status, content_type, extra, body) = if path == "/echo-body/demo.v1.UserService/GetUser" {
        // The request body as it came (its frame header included), as the reply's message:
        // shows what the client put on the wire, compressed or not.
        let mut reply = frame(0, &body);
        reply.extend(frame(0x80, b"grpc-status: 0\r\n"));
        ("200 OK", "application/grpc-web+proto", String::new(), reply)
    } else {
        reply(path, &headers)
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\n{cors}{extra}content-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    stream.flush()
}
