//! `grpc-timeout` over HTTP/1.1: a stream cut off at its deadline, and a call still
//! reading its request answered with a status a browser can read.

use std::io::Read;
use std::time::{Duration, Instant};

use proto::grpc::testing::{ResponseParameters, StreamingOutputCallRequest};

use crate::common::{self, frames, Reply, Server, GRPC_WEB};

#[test]
fn a_stream_past_its_deadline_ends_with_deadline_exceeded() {
    let server = Server::start(&["--interop"]);
    let request = StreamingOutputCallRequest {
        response_parameters: (0..20)
            .map(|_| ResponseParameters {
                size: 8,
                interval_us: 50_000,
                compressed: None,
            })
            .collect(),
        ..Default::default()
    };
    let started = Instant::now();
    let reply = common::grpc_web(
        &server,
        "/grpc.testing.TestService/StreamingOutputCall",
        &request,
        &[("grpc-timeout", "300m")],
    );
    let took = started.elapsed();
    let frames = frames(&reply.body);
    let data = frames.iter().filter(|(f, _)| *f == 0).count();
    assert!((1..20).contains(&data), "some messages, not all: {data}");
    let trailers = reply.trailers();
    assert!(trailers.contains("grpc-status:4"), "{trailers}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

/// A call still reading its request when the deadline passes (half duplex reads the whole
/// request stream first; this one never ends) gets DEADLINE_EXCEEDED as a trailers-only
/// reply a browser can read, not tonic's own CANCELLED without CORS headers.
#[test]
fn a_call_past_its_deadline_before_replying_is_deadline_exceeded() {
    let server = Server::start(&["--interop", "--allow-origin", "https://app.example.com"]);
    let mut headers: Vec<(&str, &str)> = GRPC_WEB.to_vec();
    headers.extend([
        ("grpc-timeout", "200m"),
        ("origin", "https://app.example.com"),
    ]);
    // One whole frame sent of a body announced as longer.
    let frame = common::frame(&StreamingOutputCallRequest::default());
    let mut body = frame.clone();
    body.extend_from_slice(&frame);
    let started = Instant::now();
    let mut s = std::net::TcpStream::connect(&server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut head = format!(
        "POST /grpc.testing.TestService/HalfDuplexCall HTTP/1.1\r\nhost: {}\r\ncontent-length: {}\r\n",
        server.addr,
        body.len() + 100
    );
    for (k, v) in &headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    std::io::Write::write_all(&mut s, head.as_bytes()).unwrap();
    std::io::Write::write_all(&mut s, &body).unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    // Read until the head is complete (the connection stays open: the body is unfinished).
    while !raw.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "closed early");
        raw.extend_from_slice(&buf[..n]);
    }
    let took = started.elapsed();
    let reply = Reply::parse(&raw);
    assert_eq!(
        reply.header("grpc-status"),
        Some("4"),
        "{:?}",
        reply.headers
    );
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert!(took >= Duration::from_millis(150), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}
