//! Idle connections, HTTP/1.1 and HTTP/2, are closed; a quiet stream is not.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::common::{self, Server};

/// Reads until end of file; `false` if the read timeout passed first.
fn reads_eof(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[test]
fn idle_connections_are_closed_but_quiet_streams_are_not() {
    let server = Server::start(&["--idle-timeout", "1"]);
    // HTTP/1.1 that never sends a request.
    let mut silent = TcpStream::connect(&server.addr).unwrap();
    // HTTP/2 (h2c, prior knowledge): the preface and an empty SETTINGS frame, then nothing.
    let mut h2 = TcpStream::connect(&server.addr).unwrap();
    h2.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .unwrap();
    // A chat subscription in a room where nobody speaks: a call stays open.
    let mut headers: Vec<(&str, &str)> = common::GRPC_WEB.to_vec();
    headers.push(("accept", "application/grpc-web+proto"));
    let mut quiet = server.send_head(
        "POST",
        "/demo.v1.ChatService/Subscribe",
        &headers,
        &common::frame(&proto::demo::v1::SubscribeRequest {
            room: "silence".into(),
        }),
    );
    let started = Instant::now();
    assert!(
        reads_eof(&mut silent, Duration::from_secs(4)),
        "HTTP/1.1 left open"
    );
    assert!(
        reads_eof(&mut h2, Duration::from_secs(4)),
        "HTTP/2 left open"
    );
    assert!(started.elapsed() < Duration::from_secs(4));
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        !reads_eof(&mut quiet, Duration::from_millis(500)),
        "a quiet stream was cut"
    );
}
