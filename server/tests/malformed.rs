//! Requests that break the protocol, answered as the gRPC spec says and in plain words.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{Reply, Server, GRPC_WEB};

/// `GetUser(user 1)` as one gRPC frame.
const GET_USER_1: [u8; 7] = [0, 0, 0, 0, 2, 0x08, 1];

fn get_user(server: &Server, extra_headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let headers: Vec<(&str, &str)> = GRPC_WEB.iter().chain(extra_headers).copied().collect();
    server.request("POST", "/demo.v1.UserService/GetUser", &headers, body)
}

#[test]
fn a_second_message_to_a_unary_method_is_unimplemented() {
    let server = Server::start(&[]);
    let one = get_user(&server, &[], &GET_USER_1);
    assert!(
        one.trailers().contains("grpc-status:0"),
        "{}",
        one.trailers()
    );
    let two = get_user(&server, &[], &[GET_USER_1, GET_USER_1].concat());
    let trailers = two.trailers();
    assert!(trailers.contains("grpc-status:12"), "{trailers}");
    assert!(trailers.contains("cardinality"), "{trailers}");
}

#[test]
fn a_malformed_grpc_timeout_is_internal_at_once() {
    let server = Server::start(&[]);
    for bad in ["1.5S", "soon", "123456789S", "10"] {
        let reply = get_user(&server, &[("grpc-timeout", bad)], &GET_USER_1);
        let trailers = reply.trailers();
        assert!(trailers.contains("grpc-status:13"), "{bad}: {trailers}");
        assert!(
            trailers.contains("malformed%20grpc-timeout"),
            "{bad}: {trailers}"
        );
    }
    let ok = get_user(&server, &[("grpc-timeout", "5S")], &GET_USER_1);
    assert!(ok.trailers().contains("grpc-status:0"), "{}", ok.trailers());
}

#[test]
fn a_body_that_cannot_be_read_is_reported_in_plain_words() {
    let server = Server::start(&[]);
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // A chunked body whose second chunk size is not hexadecimal.
    write!(
        s,
        "POST /demo.v1.UserService/GetUser HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n\
         content-type: application/grpc-web+proto\r\nx-grpc-web: 1\r\n\
         transfer-encoding: chunked\r\n\r\n3\r\n\x00\x00\x00\r\nzz\r\n",
        server.addr
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let reply = Reply::parse(&raw);
    let trailers = reply.trailers();
    eprintln!("{trailers}");
    assert!(trailers.contains("grpc-status:13"), "{trailers}");
    assert!(
        trailers.contains("the%20request%20body%20could%20not%20be%20read"),
        "{trailers}"
    );
}

/// Over h2c, a header list past the limit (16 KiB) is answered `431` on its stream and the
/// connection goes on serving. (A list so large that its block needs more CONTINUATION
/// frames than h2's flood guard allows, about 1 MiB in 16 KiB frames, closes the connection
/// instead: see `MAX_HEADER_LIST_SIZE` in `server/src/lib.rs` for why that stays.)
#[tokio::test]
async fn an_oversized_header_list_over_h2c_gets_431_and_the_connection_stays() {
    let server = Server::start(&[]);
    let tcp = tokio::net::TcpStream::connect(server.url().trim_start_matches("http://"))
        .await
        .unwrap();
    let (client, connection) = h2::client::handshake(tcp).await.expect("h2c");
    tokio::spawn(connection);
    let request = |extra: Option<String>| {
        let mut r = http::Request::post(format!("{}/demo.v1.UserService/GetUser", server.url()))
            .header("content-type", "application/grpc")
            .header("te", "trailers");
        if let Some(value) = extra {
            r = r.header("x-big", value);
        }
        r.body(()).unwrap()
    };
    let mut client = client.ready().await.unwrap();
    let (reply, _) = client
        .send_request(request(Some("x".repeat(40 * 1024))), true)
        .unwrap();
    let reply = tokio::time::timeout(Duration::from_secs(10), reply)
        .await
        .expect("an answer")
        .expect("a response, not a reset connection");
    assert_eq!(reply.status(), 431);

    // The same connection still serves a call.
    let mut client = client.ready().await.expect("the connection is still open");
    let (reply, mut body) = client.send_request(request(None), false).unwrap();
    body.send_data(bytes::Bytes::from_static(&GET_USER_1), true)
        .unwrap();
    let reply = tokio::time::timeout(Duration::from_secs(10), reply)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reply.status(), 200);
    let mut body = reply.into_body();
    while let Some(chunk) = body.data().await {
        chunk.unwrap();
    }
    let trailers = body.trailers().await.unwrap().unwrap();
    assert_eq!(trailers["grpc-status"], "0");
}
