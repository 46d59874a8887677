//! The connection cap and the descriptor limit, against the real server binary.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Reply, Server};

/// A GetUser call for user 1 sent on a new connection, not yet read.
fn get_user_sent(addr: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST /demo.v1.UserService/GetUser HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\
         content-type: application/grpc-web+proto\r\nx-grpc-web: 1\r\ncontent-length: 7\r\n\r\n"
    )
    .unwrap();
    s.write_all(&[0, 0, 0, 0, 2, 0x08, 1]).unwrap();
    s
}

/// Reads the whole reply, or `None` if none came within `limit`.
fn reply_within(s: &mut TcpStream, limit: Duration) -> Option<Reply> {
    s.set_read_timeout(Some(limit)).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    Some(Reply::parse(&raw))
}

#[test]
fn past_the_connection_cap_new_connections_wait_their_turn() {
    let server = Server::start(&["--max-connections", "4"]);
    let open: Vec<TcpStream> = (0..4)
        .map(|_| TcpStream::connect(&server.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut fifth = get_user_sent(&server.addr);
    assert!(
        reply_within(&mut fifth, Duration::from_millis(700)).is_none(),
        "a fifth connection was served"
    );
    drop(open);
    let reply =
        reply_within(&mut fifth, Duration::from_secs(5)).expect("served once a place freed");
    assert!(
        reply.trailers().contains("grpc-status:0"),
        "{}",
        reply.trailers()
    );
}

/// The server under `sh -c 'ulimit ...; exec server'`, so it starts with those limits.
fn start_with_ulimit(ulimit: &str) -> Server {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit {ulimit} && exec \"$0\" --listen 127.0.0.1:0"
        ))
        .arg(env!("CARGO_BIN_EXE_server"))
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap()
        .to_string();
    Server { child, addr }
}

/// `Max open files` (soft, hard) of a process.
fn fd_limits(pid: u32) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    let f: Vec<&str> = line.split_whitespace().collect();
    (f[3].to_string(), f[4].to_string())
}

#[test]
fn the_descriptor_soft_limit_is_raised_to_the_hard_limit() {
    let server = start_with_ulimit("-Sn 200");
    let (soft, hard) = fd_limits(server.child.id());
    assert_ne!(hard, "200", "the test needs a hard limit above 200");
    assert_eq!(soft, hard);
}

#[test]
fn out_of_descriptors_the_server_rests_and_serves_on() {
    // 64 descriptors in all, soft and hard: about 50 connections exhaust them.
    let server = start_with_ulimit("-n 64");
    // (dropped at the end, which stops it)
    let (pid, addr) = (server.child.id(), server.addr.clone());
    let held: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(&addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let before = common::cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(1));
    let spent = common::cpu_ticks(pid) - before;
    drop(held);
    let served = common::eventually(Duration::from_secs(5), || {
        reply_within(&mut get_user_sent(&addr), Duration::from_secs(2))
            .is_some_and(|r| r.trailers().contains("grpc-status:0"))
    });
    assert!(
        spent < 30,
        "{spent} CPU ticks in one second of failed accepts"
    );
    assert!(served, "not serving after the descriptors came back");
}
