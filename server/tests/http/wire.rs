//! gRPC-Web calls as bytes: the data and trailer frames, text mode, gzip frames, the
//! interop metadata echo and rich error details.

use std::io::Read;

use base64::Engine as _;
use prost::Message;
use proto::demo::v1::CreateUserRequest;
use proto::google::rpc::{BadRequest, Status as RpcStatus};
use proto::grpc::testing::{BoolValue, SimpleRequest, SimpleResponse};

use crate::common::{self, frames, Reply, Server};
use crate::get_user;

const UNARY_CALL: &str = "/grpc.testing.TestService/UnaryCall";

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
