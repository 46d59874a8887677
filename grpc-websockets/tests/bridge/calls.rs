//! A call over a socket: the gRPC-Web byte stream it carries, and the closing handshake
//! even when the call ends before its request was read.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

use crate::{binary, open, open_method, server};

#[tokio::test]
async fn a_call_over_a_socket_gets_the_grpc_web_byte_stream() {
    let addr = server().await;
    let mut ws = open(&addr, "http://app.test").await.expect("upgrade");
    let send = |m: &[u8]| Message::Binary(m.to_vec().into());
    ws.send(send(
        b"content-type: application/grpc-web+proto\r\nx-grpc-web: 1\r\n",
    ))
    .await
    .unwrap();
    // HealthCheckRequest { service: "" }: an empty message in a data frame.
    ws.send(send(&[0, 0, 0, 0, 0, 0])).await.unwrap();
    ws.send(send(&[1])).await.unwrap();
    let mut bytes = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(message) = ws.next().await {
            match message.unwrap() {
                Message::Binary(b) => bytes.extend_from_slice(&b),
                Message::Close(frame) => return frame.map(|f| u16::from(f.code)),
                _ => {}
            }
        }
        None
    })
    .await
    .expect("the call ends");
    assert_eq!(closed, Some(1000));
    // Head frame, then the data frame (status SERVING), then the trailer frame.
    assert_eq!(bytes[0], 0x80);
    let head_len = u32::from_be_bytes(bytes[1..5].try_into().unwrap()) as usize;
    let head = String::from_utf8_lossy(&bytes[5..5 + head_len]).to_string();
    assert!(
        head.contains("content-type: application/grpc-web+proto"),
        "{head}"
    );
    let rest = &bytes[5 + head_len..];
    assert_eq!(&rest[..7], [0, 0, 0, 0, 2, 0x08, 0x01]);
    assert_eq!(rest[7], 0x80);
    let trailers = String::from_utf8_lossy(&rest[12..]).to_string();
    assert!(trailers.contains("grpc-status: 0"), "{trailers}");
}

/// A call that ends while the client's messages are still unread (here: no such method)
/// closes with the WebSocket closing handshake. Dropping the socket at once would close it
/// with unread bytes, which makes the kernel reset the connection and throw away whatever
/// it had not sent yet: the trailers and the Close frame (a browser sees code 1006).
#[tokio::test]
async fn a_call_that_ends_before_its_request_is_read_still_closes_cleanly() {
    let addr = server().await;
    for _ in 0..3 {
        let mut ws = open_method(&addr, "http://app.test", "NoSuchMethod")
            .await
            .expect("upgrade");
        ws.send(binary(b"content-type: application/grpc-web+proto\r\n"))
            .await
            .unwrap();
        let mut message = vec![0u8; 5 + 64 * 1024];
        message[1..5].copy_from_slice(&(64u32 * 1024).to_be_bytes());
        for _ in 0..4 {
            ws.send(binary(&message)).await.unwrap();
        }
        let mut bytes = Vec::new();
        let mut close = None;
        let end = tokio::time::timeout(Duration::from_secs(5), async {
            while let Some(item) = ws.next().await {
                match item {
                    Ok(Message::Binary(b)) => bytes.extend_from_slice(&b),
                    Ok(Message::Close(frame)) => close = frame.map(|f| u16::from(f.code)),
                    Ok(_) => {}
                    Err(e) => return Err(e.to_string()),
                }
            }
            Ok(())
        })
        .await
        .expect("the socket ends in time");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("grpc-status: 12"), "{text:?}");
        assert_eq!(close, Some(1000));
        assert_eq!(end, Ok(()), "the connection was not closed cleanly");
    }
}
