//! The bridge in front of a real tonic server on 127.0.0.1: a call over a socket with real
//! bytes, the origin check before the upgrade, and other connections passed through.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// A tonic server with the health service behind the bridge; its address.
async fn server() -> String {
    server_with(grpc_websockets::Config::allow_origins(["http://app.test"])).await
}

async fn server_with(config: grpc_websockets::Config) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (_, health) = tonic_health::server::health_reporter();
    let routes = tonic::service::Routes::new(health);
    let incoming = grpc_websockets::incoming(listener, routes.clone(), config);
    tokio::spawn(
        tonic::transport::Server::builder()
            .accept_http1(true)
            .add_routes(routes)
            .serve_with_incoming(incoming),
    );
    addr
}

type Socket = tokio_tungstenite::WebSocketStream<TcpStream>;

async fn open(addr: &str, origin: &str) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    open_method(addr, origin, "Check").await
}

async fn open_method(
    addr: &str,
    origin: &str,
    method: &str,
) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let mut request = format!("ws://{addr}/grpc.health.v1.Health/{method}")
        .into_client_request()
        .unwrap();
    let h = request.headers_mut();
    h.insert("origin", origin.parse().unwrap());
    h.insert("sec-websocket-protocol", "grpc-websockets".parse().unwrap());
    let tcp = TcpStream::connect(addr).await.unwrap();
    tokio_tungstenite::client_async(request, tcp)
        .await
        .map(|(ws, _)| ws)
}

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

#[tokio::test]
async fn a_foreign_origin_is_refused_before_the_upgrade() {
    let addr = server().await;
    match open(&addr, "https://evil.test").await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403)
        }
        other => panic!("expected a 403, got {:?}", other.map(|_| "a socket")),
    }
}

#[tokio::test]
async fn other_connections_reach_the_server_untouched() {
    let addr = server().await;
    let mut tcp = TcpStream::connect(&addr).await.unwrap();
    // A gRPC-Web-looking POST over HTTP/1.1: tonic answers it (here: no gRPC-Web layer, so
    // an HTTP error), proving the bytes were not swallowed.
    tcp.write_all(b"POST /grpc.health.v1.Health/Check HTTP/1.1\r\nhost: x\r\ncontent-type: application/grpc\r\ncontent-length: 5\r\n\r\n\0\0\0\0\0")
        .await
        .unwrap();
    let mut reply = vec![0; 256];
    let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut reply))
        .await
        .expect("an answer")
        .unwrap();
    assert!(
        reply[..n].starts_with(b"HTTP/1.1 "),
        "{:?}",
        String::from_utf8_lossy(&reply[..n])
    );
}

fn binary(m: &[u8]) -> Message {
    Message::Binary(m.to_vec().into())
}

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

#[tokio::test]
async fn a_page_from_the_server_itself_is_admitted() {
    let config = grpc_websockets::Config::allow_origins(Vec::<String>::new());
    let addr = server_with(config.clone()).await;
    open(&addr, &format!("http://{addr}"))
        .await
        .expect("same origin");
    let addr = server_with(config.allow_same_origin(false)).await;
    assert!(open(&addr, &format!("http://{addr}")).await.is_err());
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
