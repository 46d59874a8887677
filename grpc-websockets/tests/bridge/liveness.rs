//! Open sockets that must end: at shutdown, when the peer stops answering pings, and when
//! it stops reading.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

use crate::{binary, open, open_method, server_with, Socket};

/// Opens `Health/Watch` (a stream that stays open) and reads until its first message.
async fn watching(addr: &str) -> Socket {
    let mut ws = open_method(addr, "http://app.test", "Watch")
        .await
        .expect("upgrade");
    ws.send(binary(b"content-type: application/grpc-web+proto\r\n"))
        .await
        .unwrap();
    ws.send(binary(&[0, 0, 0, 0, 0, 0])).await.unwrap();
    // tonic reads a server-streaming method's request to its end before calling it.
    ws.send(binary(&[1])).await.unwrap();
    let mut bytes = Vec::new();
    let head_and_a_frame = |b: &[u8]| {
        b.len() >= 5 && b.len() >= 10 + u32::from_be_bytes(b[1..5].try_into().unwrap()) as usize
    };
    tokio::time::timeout(Duration::from_secs(5), async {
        while !head_and_a_frame(&bytes) {
            if let Some(Ok(Message::Binary(b))) = ws.next().await {
                bytes.extend_from_slice(&b);
            }
        }
    })
    .await
    .expect("the first message");
    ws
}

/// Reads until the socket ends; the bytes it carried and its close code, if any.
async fn read_to_end(ws: &mut Socket, limit: Duration) -> (Vec<u8>, Option<u16>) {
    let mut bytes = Vec::new();
    let end = tokio::time::timeout(limit, async {
        while let Some(message) = ws.next().await {
            match message {
                Ok(Message::Binary(b)) => bytes.extend_from_slice(&b),
                Ok(Message::Close(frame)) => return frame.map(|f| u16::from(f.code)),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    })
    .await
    .expect("the socket ends in time");
    (bytes, end)
}

#[tokio::test]
async fn shutdown_ends_open_sockets_with_unavailable() {
    let token = tokio_util::sync::CancellationToken::new();
    let config =
        grpc_websockets::Config::allow_origins(["http://app.test"]).shutdown(token.clone());
    let addr = server_with(config).await;
    let mut ws = watching(&addr).await;
    token.cancel();
    let (bytes, close) = read_to_end(&mut ws, Duration::from_secs(5)).await;
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("grpc-status: 14"), "{text:?}");
    assert!(text.contains("shutting"), "{text:?}");
    assert_eq!(close, Some(1000));
}

#[tokio::test]
async fn a_silent_peer_is_pinged_then_dropped_and_a_live_one_kept() {
    let keepalive = Duration::from_millis(100);
    let config = grpc_websockets::Config::allow_origins(["http://app.test"]).keepalive(keepalive);
    let addr = server_with(config).await;

    // Reading answers pings (tungstenite replies by itself): the socket stays up.
    let mut live = watching(&addr).await;
    let kept = tokio::time::timeout(keepalive * 8, async {
        let mut pings = 0;
        while let Some(Ok(message)) = live.next().await {
            pings += usize::from(matches!(message, Message::Ping(_)));
        }
        pings
    })
    .await;
    assert!(kept.is_err(), "a peer that answers pings was dropped");

    // Never reading, so never answering: dropped after two silent intervals.
    let mut silent = watching(&addr).await;
    tokio::time::sleep(keepalive * 6).await;
    let (_, close) = read_to_end(&mut silent, Duration::from_secs(2)).await;
    assert_eq!(close, None, "dropped, not closed as a finished call");
}

/// Drops set the flag: the reply body below was given up.
struct Dropped(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[tokio::test]
async fn a_peer_that_stops_reading_is_cut_off_after_the_write_timeout() {
    use http_body_util::StreamBody;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    // A service whose reply never ends: 64 KiB frames, as fast as the socket takes them.
    let gone = Arc::new(AtomicBool::new(false));
    let flag = gone.clone();
    let service = tower::service_fn(move |_request: http::Request<tonic::body::Body>| {
        let guard = Dropped(flag.clone());
        let frames = futures_util::stream::repeat_with(move || {
            let _ = &guard;
            Ok::<_, std::convert::Infallible>(http_body::Frame::data(bytes::Bytes::from(
                vec![0u8; 64 * 1024],
            )))
        });
        async move { Ok::<_, std::convert::Infallible>(http::Response::new(StreamBody::new(frames))) }
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let config = grpc_websockets::Config::allow_origins(["http://app.test"])
        .write_timeout(Duration::from_millis(300));
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        grpc_websockets::Bridge::new(service, config)
            .route(stream)
            .await;
    });

    let mut ws = open(&addr, "http://app.test").await.expect("upgrade");
    ws.send(binary(b"content-type: application/grpc-web+proto\r\n"))
        .await
        .unwrap();
    // Never read: the TCP windows fill, the bridge's write stalls, and the call is dropped.
    let dropped = tokio::time::timeout(Duration::from_secs(20), async {
        while !gone.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(dropped.is_ok(), "the stalled call was never given up");
    drop(ws);
}
