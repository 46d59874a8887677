//! Who gets a socket: allowed origins and the server's own pages do, a foreign origin is
//! refused before the upgrade, and other connections reach the server untouched.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{open, server, server_with};

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
