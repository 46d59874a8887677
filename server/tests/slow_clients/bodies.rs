//! Request bodies that arrive slowly: they hold no call slot, and a call's deadline runs
//! from its arrival.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::common::{Reply, Server};

/// The head of a binary gRPC-Web GetUser call whose 7-byte body is still to come.
fn get_user_head(server: &Server, timeout: &str) -> String {
    format!(
        "POST /demo.v1.UserService/GetUser HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n\
         content-type: application/grpc-web+proto\r\nx-grpc-web: 1\r\ngrpc-timeout: {timeout}\r\n\
         content-length: 7\r\n\r\n",
        server.addr
    )
}

/// Opens a connection and sends a GetUser call's head plus the first `body` bytes of
/// its body (`[0, 0, 0, 0, 2, 0x08, 1]`: user 1).
fn get_user_partly(server: &Server, timeout: &str, body: usize) -> TcpStream {
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    s.write_all(get_user_head(server, timeout).as_bytes())
        .unwrap();
    s.write_all(&[0, 0, 0, 0, 2, 0x08, 1][..body]).unwrap();
    s
}

fn read_reply(mut s: TcpStream) -> Reply {
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    Reply::parse(&raw)
}

#[test]
fn slow_request_bodies_hold_no_call_slot_and_deadlines_run_from_arrival() {
    // 16 slots, and an 8 s request timeout that would free slots held by slow bodies.
    let server = Server::start(&["--max-concurrent-calls", "16", "--request-timeout", "8"]);
    let held: Vec<TcpStream> = (0..200)
        .map(|_| get_user_partly(&server, "20S", 3))
        .collect();
    std::thread::sleep(Duration::from_millis(500));

    // A whole call gets its answer at once, not after a slow body lets go of a slot.
    let started = Instant::now();
    let reply = read_reply(get_user_partly(&server, "2S", 7));
    let took = started.elapsed();
    assert!(
        reply.trailers().contains("grpc-status:0"),
        "{}",
        reply.trailers()
    );
    assert!(
        took < Duration::from_millis(1500),
        "answered after {took:?}"
    );

    // A call whose own body never ends gets DEADLINE_EXCEEDED at its deadline.
    let started = Instant::now();
    let reply = read_reply(get_user_partly(&server, "1S", 3));
    let took = started.elapsed();
    assert!(
        reply.trailers().contains("grpc-status:4"),
        "{}",
        reply.trailers()
    );
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(1900),
        "answered after {took:?}"
    );
    drop(held);
}
