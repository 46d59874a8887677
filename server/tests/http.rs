//! The server binary as a browser (or curl) meets it: raw HTTP/1.1 on 127.0.0.1, gRPC-Web
//! frames by hand, CORS preflights, and static files.

mod common;

use std::path::PathBuf;

use common::{frames, Reply, Server, GRPC_WEB};

/// A gRPC-Web GetUser call with `UserRequest { user_id }` framed by hand: tag 0x08
/// (field 1, varint), then a one-byte varint.
fn get_user(server: &Server, user_id: u8, extra_headers: &[(&str, &str)]) -> Reply {
    assert!(user_id < 0x80);
    let headers: Vec<(&str, &str)> = GRPC_WEB.iter().chain(extra_headers).copied().collect();
    let frame = [0, 0, 0, 0, 2, 0x08, user_id];
    server.request("POST", "/demo.v1.UserService/GetUser", &headers, &frame)
}

#[test]
fn get_user_over_grpc_web() {
    let server = Server::start(&[]);
    let reply = get_user(&server, 1, &[]);
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("application/grpc-web+proto")
    );
    let frames = frames(&reply.body);
    assert_eq!(frames.len(), 2, "data + trailers");
    let (flags, message) = &frames[0];
    assert_eq!(*flags, 0);
    let text = String::from_utf8_lossy(message);
    assert!(
        text.contains("Ada Lovelace") && text.contains("ada@example.com"),
        "{text}"
    );
    let (flags, trailers) = &frames[1];
    assert_eq!(*flags, 0x80);
    assert_eq!(String::from_utf8_lossy(trailers).trim(), "grpc-status:0");
}

#[test]
fn unknown_user_is_not_found_in_the_trailers() {
    let server = Server::start(&[]);
    let reply = get_user(&server, 99, &[]);
    assert_eq!(reply.status, 200);
    let trailers = reply.trailers();
    assert!(trailers.contains("grpc-status:5"), "{trailers}");
    assert!(trailers.contains("user%2099%20not%20found"), "{trailers}");
}

fn preflight(server: &Server, origin: &str) -> Reply {
    server.request(
        "OPTIONS",
        "/demo.v1.UserService/GetUser",
        &[
            ("origin", origin),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "content-type,x-grpc-web,x-user-agent",
            ),
        ],
        b"",
    )
}

#[test]
fn cors_admits_configured_origins_only() {
    let server = Server::start(&["--allow-origin", "https://app.example.com"]);
    let ok = preflight(&server, "https://app.example.com");
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let allowed = ok.header("access-control-allow-headers").unwrap_or("");
    assert!(
        allowed.contains("x-grpc-web") && allowed.contains("content-type"),
        "{allowed}"
    );
    // Retries (gRFC A6) say which attempt they are.
    assert!(allowed.contains("grpc-previous-rpc-attempts"), "{allowed}");
    for refused in ["https://evil.example", "http://localhost:3000", "null"] {
        let r = preflight(&server, refused);
        assert_eq!(r.header("access-control-allow-origin"), None, "{refused}");
    }
    // Status headers must be readable by scripts on trailers-only replies.
    let reply = get_user(&server, 1, &[("origin", "https://app.example.com")]);
    let exposed = reply.header("access-control-expose-headers").unwrap_or("");
    assert!(
        exposed.contains("grpc-status") && exposed.contains("grpc-message"),
        "{exposed}"
    );
    // And a server's pushback, which steers them.
    assert!(exposed.contains("grpc-retry-pushback-ms"), "{exposed}");
}

#[test]
fn dev_mode_admits_loopback_origins() {
    let server = Server::start(&["--dev"]);
    let ok = preflight(&server, "http://localhost:3000");
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    let refused = preflight(&server, "https://evil.example");
    assert_eq!(refused.header("access-control-allow-origin"), None);
}

#[test]
fn serves_static_files_beside_the_api() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("grpc-web-wasm-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<h1>demo</h1>").unwrap();
    let server = Server::start(&["--static-dir", dir.to_str().unwrap()]);
    let page = server.request("GET", "/", &[], b"");
    assert_eq!(page.status, 200);
    assert_eq!(page.body, b"<h1>demo</h1>");
    assert_eq!(server.request("GET", "/missing.js", &[], b"").status, 404);
    let api = get_user(&server, 2, &[]);
    assert!(String::from_utf8_lossy(&api.body).contains("Alan Turing"));
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The UI's files come gzipped to browsers that accept it, and cached by what they are:
/// trunk's content-hashed assets for a year without revalidation, `index.html` revalidated
/// on every load (so a new build shows at once).
#[test]
fn static_files_are_compressed_and_cached_by_name() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("grpc-web-wasm-assets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wasm: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8 / 4).collect();
    let wasm_name = "demo-app-0123456789abcdef_bg.wasm";
    std::fs::write(dir.join(wasm_name), &wasm).unwrap();
    let html = "<!doctype html><title>demo</title>".repeat(8);
    std::fs::write(dir.join("index.html"), &html).unwrap();
    let server = Server::start(&["--static-dir", dir.to_str().unwrap()]);
    let gzip = [("accept-encoding", "gzip, deflate, br")];

    let module = server.request("GET", &format!("/{wasm_name}"), &gzip, b"");
    assert_eq!(module.status, 200);
    assert_eq!(module.header("content-type"), Some("application/wasm"));
    assert_eq!(module.header("content-encoding"), Some("gzip"));
    assert!(
        module
            .header("vary")
            .unwrap_or("")
            .contains("accept-encoding"),
        "{:?}",
        module.header("vary")
    );
    assert_eq!(
        module.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert!(
        module.body.len() < wasm.len() / 2,
        "{} bytes",
        module.body.len()
    );
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&module.body[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, wasm);

    for path in ["/", "/index.html"] {
        let page = server.request("GET", path, &gzip, b"");
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(page.header("cache-control"), Some("no-cache"), "{path}");
        assert_eq!(page.header("content-encoding"), Some("gzip"), "{path}");
    }
    // A client that accepts no encoding gets the bytes as they are.
    let plain = server.request("GET", &format!("/{wasm_name}"), &[], b"");
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.body, wasm);
    // A method no route serves is UNIMPLEMENTED, not the file server's 405.
    let unknown = server.request(
        "POST",
        "/grpc.testing.UnimplementedService/UnimplementedCall",
        GRPC_WEB,
        &[0, 0, 0, 0, 0],
    );
    assert_eq!(unknown.status, 200);
    assert_eq!(
        unknown.header("content-type"),
        Some("application/grpc-web+proto")
    );
    assert_eq!(unknown.header("grpc-status"), Some("12"));
    assert_eq!(
        unknown.header("grpc-message"),
        Some("unknown%20method%20/grpc.testing.UnimplementedService/UnimplementedCall")
    );
    // gRPC-Web replies are never compressed by HTTP: that would hold a stream's messages back.
    let api = get_user(&server, 2, &gzip);
    assert_eq!(api.header("content-encoding"), None);
    assert!(String::from_utf8_lossy(&api.body).contains("Alan Turing"));
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

use std::io::Read;
use std::time::{Duration, Instant};

use base64::Engine as _;
use prost::Message;
use proto::demo::v1::{CreateUserRequest, SendReply, SendRequest, SubscribeRequest};
use proto::google::rpc::{BadRequest, Status as RpcStatus};
use proto::grpc::testing::{
    BoolValue, ResponseParameters, SimpleRequest, SimpleResponse, StreamingOutputCallRequest,
};

const UNARY_CALL: &str = "/grpc.testing.TestService/UnaryCall";

#[test]
fn text_mode_is_base64_both_ways() {
    let server = Server::start(&["--interop"]);
    let b64 = base64::engine::general_purpose::STANDARD;
    let request = SimpleRequest {
        response_size: 10,
        ..Default::default()
    };
    let body = b64.encode(common::frame(&request));
    let reply = server.request(
        "POST",
        UNARY_CALL,
        &[
            ("content-type", "application/grpc-web-text"),
            ("accept", "application/grpc-web-text"),
            ("x-grpc-web", "1"),
        ],
        body.as_bytes(),
    );
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("application/grpc-web-text+proto")
    );
    // Each base64 block may end in padding (one per frame here), so decode by quantum.
    let raw: Vec<u8> = reply
        .body
        .chunks(4)
        .flat_map(|q| b64.decode(q).expect("base64 quantum"))
        .collect();
    let frames = frames(&raw);
    assert_eq!(frames.len(), 2, "data + trailers");
    let reply = SimpleResponse::decode(frames[0].1.as_slice()).unwrap();
    assert_eq!(reply.payload.unwrap().body, vec![0; 10]);
    assert_eq!(frames[1].0, 0x80);
    assert!(String::from_utf8_lossy(&frames[1].1).contains("grpc-status:0"));
}

#[test]
fn gzip_frames_for_clients_that_accept_them() {
    let server = Server::start(&["--interop"]);
    let request = SimpleRequest {
        response_size: 5000,
        ..Default::default()
    };
    let reply = common::grpc_web(
        &server,
        UNARY_CALL,
        &request,
        &[("grpc-accept-encoding", "gzip")],
    );
    assert_eq!(reply.header("grpc-encoding"), Some("gzip"));
    let frames = frames(&reply.body);
    let (flags, compressed) = &frames[0];
    assert_eq!(*flags, 0x01, "compressed-flag data frame");
    assert!(
        compressed.len() < 200,
        "5000 zeros compress: {}",
        compressed.len()
    );
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(compressed.as_slice())
        .read_to_end(&mut plain)
        .unwrap();
    let message = SimpleResponse::decode(plain.as_slice()).unwrap();
    assert_eq!(message.payload.unwrap().body.len(), 5000);
    assert_eq!(frames[1].0, 0x80, "the trailer frame is never compressed");

    // Asked not to compress this one: identity frame even though gzip is accepted.
    let plain_request = SimpleRequest {
        response_size: 5000,
        response_compressed: Some(BoolValue { value: false }),
        ..Default::default()
    };
    let reply = common::grpc_web(
        &server,
        UNARY_CALL,
        &plain_request,
        &[("grpc-accept-encoding", "gzip")],
    );
    assert_eq!(frames_of(&reply)[0].0, 0);
    // No gzip accepted: plain frames.
    let reply = common::grpc_web(&server, UNARY_CALL, &request, &[]);
    assert_eq!(reply.header("grpc-encoding"), None);
    assert_eq!(frames_of(&reply)[0].0, 0);
}

fn frames_of(reply: &Reply) -> Vec<(u8, Vec<u8>)> {
    frames(&reply.body)
}

#[test]
fn interop_metadata_is_echoed_and_exposed() {
    let server = Server::start(&["--interop", "--allow-origin", "https://app.example.com"]);
    let reply = common::grpc_web(
        &server,
        UNARY_CALL,
        &SimpleRequest::default(),
        &[
            ("origin", "https://app.example.com"),
            ("x-grpc-test-echo-initial", "test_initial_metadata_value"),
            ("x-grpc-test-echo-trailing-bin", "q6urqw"),
        ],
    );
    assert_eq!(
        reply.header("x-grpc-test-echo-initial"),
        Some("test_initial_metadata_value")
    );
    let trailers = reply.trailers();
    assert!(trailers.contains("grpc-status:0"), "{trailers}");
    assert!(
        trailers.contains("x-grpc-test-echo-trailing-bin:q6urqw"),
        "{trailers}"
    );
    let exposed = reply.header("access-control-expose-headers").unwrap();
    for h in [
        "grpc-status",
        "grpc-message",
        "grpc-status-details-bin",
        "grpc-encoding",
        "x-grpc-test-echo-initial",
    ] {
        assert!(exposed.contains(h), "{h} not in {exposed}");
    }
}

#[test]
fn bad_request_details_ride_in_grpc_status_details_bin() {
    let server = Server::start(&[]);
    let reply = common::grpc_web(
        &server,
        "/demo.v1.UserService/CreateUser",
        &CreateUserRequest {
            name: String::new(),
            email: "no-at-sign".into(),
        },
        &[],
    );
    // Trailers-only: the status, and its details, are response headers.
    assert_eq!(reply.header("grpc-status"), Some("3"));
    let details = reply
        .header("grpc-status-details-bin")
        .expect("details header");
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(details.trim_end_matches('='))
        .unwrap();
    let status = RpcStatus::decode(bytes.as_slice()).unwrap();
    assert_eq!(status.code, 3);
    assert_eq!(
        status.details[0].type_url,
        "type.googleapis.com/google.rpc.BadRequest"
    );
    let bad = BadRequest::decode(status.details[0].value.as_slice()).unwrap();
    let fields: Vec<_> = bad
        .field_violations
        .iter()
        .map(|v| (v.field.as_str(), v.reason.as_str()))
        .collect();
    assert_eq!(fields, [("name", "REQUIRED"), ("email", "FORMAT")]);
}

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
