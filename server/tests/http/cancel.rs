//! A browser going away mid-stream: the subscriber it held is counted out, and the
//! cancellation is logged.

use std::io::Read;
use std::time::{Duration, Instant};

use prost::Message;
use proto::demo::v1::{SendReply, SendRequest, SubscribeRequest};

use crate::common::{self, frames, Server, GRPC_WEB};

fn chat_send(server: &Server, room: &str) -> SendReply {
    let reply = common::grpc_web(
        server,
        "/demo.v1.ChatService/Send",
        &SendRequest {
            room: room.into(),
            author: "test".into(),
            text: "hello".into(),
        },
        &[],
    );
    assert!(reply.trailers().contains("grpc-status:0"));
    SendReply::decode(frames(&reply.body)[0].1.as_slice()).unwrap()
}

/// What a browser's abort does to an HTTP/1.1 stream: the connection closes. The server
/// must count that subscriber out promptly (the client's cancellation test relies on it).
#[test]
fn a_closed_http1_subscriber_is_unregistered() {
    let server = Server::start(&[]);
    let room = "abort-test";
    let mut headers: Vec<(&str, &str)> = GRPC_WEB.to_vec();
    headers.push(("accept", "application/grpc-web+proto"));
    let mut sub = server.send_head(
        "POST",
        "/demo.v1.ChatService/Subscribe",
        &headers,
        &common::frame(&SubscribeRequest { room: room.into() }),
    );
    // The response head means the subscription is registered.
    let mut head = [0u8; 12];
    sub.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    assert_eq!(chat_send(&server, room).delivered, 1);
    drop(sub);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let delivered = chat_send(&server, room).delivered;
        if delivered == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "still delivered to {delivered}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Stopping a stream in the browser aborts its fetch; the server says so in its log.
#[test]
fn a_client_cancelling_a_stream_is_logged() {
    let (server, log) = Server::start_logged(&[]);
    let mut headers: Vec<(&str, &str)> = GRPC_WEB.to_vec();
    headers.push(("accept", "application/grpc-web+proto"));
    let mut watch = server.send_head(
        "POST",
        "/demo.v1.ScoreService/WatchScores",
        &headers,
        &common::frame(&proto::demo::v1::WatchScoresRequest::default()),
    );
    let mut head = [0u8; 12];
    watch.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    drop(watch);
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen = Vec::new();
    while let Ok(line) = log.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        if line.contains("call cancelled") && line.contains("/demo.v1.ScoreService/WatchScores") {
            return;
        }
        seen.push(line);
    }
    panic!("no cancellation logged; the log said:\n{}", seen.join("\n"));
}
