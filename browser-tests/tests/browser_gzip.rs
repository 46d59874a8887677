//! Feature `browser-gzip`: per-message gzip through the browser's `CompressionStream` and
//! `DecompressionStream`, with no codec in the wasm. Compiled only without `gzip` (flate2
//! wins when both are on): `cargo xtask test` runs it with `--no-default-features
//! --features browser-gzip`, against the real server and the misbehaving fixture.

#![cfg(all(
    target_arch = "wasm32",
    feature = "browser-gzip",
    not(feature = "gzip")
))]

use grpc_web_wasm::{Client, Code, Compression};
use proto::demo::v1::{UserRequest, UserResponse};
use proto::grpc::testing::{
    BoolValue, Payload, ResponseParameters, SimpleRequest, SimpleResponse,
    StreamingOutputCallRequest, StreamingOutputCallResponse,
};

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[macro_use]
#[path = "common/mod.rs"]
mod common;

use common::server;
use wasm_bindgen_test::wasm_bindgen_test;

const UNARY_CALL: &str = "/grpc.testing.TestService/UnaryCall";
const GET_USER: &str = "/demo.v1.UserService/GetUser";

fn fault(route: &str) -> Client {
    let base = test_env!("GRPC_WEB_TEST_FAULT_SERVER");
    Client::new(format!("{base}/{route}")).accept_compressed(Compression::Gzip)
}

fn flag(value: bool) -> Option<BoolValue> {
    Some(BoolValue { value })
}

#[wasm_bindgen_test]
async fn compressed_replies_decode_to_the_bytes_of_plain_ones_in_order() {
    let ask = |compressed| SimpleRequest {
        response_size: 200_000,
        response_compressed: flag(compressed),
        ..Default::default()
    };
    let gzip = server().accept_compressed(Compression::Gzip);
    let packed = gzip.unary::<_, SimpleResponse>(UNARY_CALL, ask(true)).await;
    let packed = packed.expect("a gzip reply");
    let plain = server()
        .unary::<_, SimpleResponse>(UNARY_CALL, ask(false))
        .await;
    assert_eq!(packed.headers().get("grpc-encoding"), Some("gzip"));
    assert_eq!(packed.get_ref(), plain.expect("a plain reply").get_ref());

    let sizes = [10, 70_000, 0, 5000, 1];
    let request = StreamingOutputCallRequest {
        response_parameters: sizes
            .iter()
            .map(|&size| ResponseParameters {
                size,
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    let mut stream = gzip
        .server_streaming::<_, StreamingOutputCallResponse>(
            "/grpc.testing.TestService/StreamingOutputCall",
            request,
        )
        .await
        .expect("a gzip stream");
    let mut got = Vec::new();
    while let Some(m) = stream.message().await.expect("every message") {
        got.push(m.payload.map_or(0, |p| p.body.len() as i32));
    }
    assert_eq!(got, sizes);
}

#[wasm_bindgen_test]
async fn a_compressed_message_and_trailer_frame_from_the_fixture() {
    let reply = fault("gzip")
        .unary::<_, UserResponse>(GET_USER, UserRequest { user_id: 9 })
        .await
        .expect("gzip frames");
    assert_eq!(reply.get_ref().name, "gz");
    assert_eq!(reply.trailers().get("x-packed"), Some("yes"));
}

#[wasm_bindgen_test]
async fn compressed_requests_are_flagged_gzip_and_accepted_by_the_server() {
    let request = SimpleRequest {
        response_size: 7,
        expect_compressed: flag(true),
        payload: Some(Payload {
            body: vec![1; 50_000].into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    server()
        .send_compressed(Compression::Gzip)
        .unary::<_, SimpleResponse>(UNARY_CALL, request)
        .await
        .expect("the server inflated the request");

    // The frame as the fixture received it, returned as the reply's message.
    let message = "a request message, ".repeat(100);
    let frame = fault("echo-body")
        .send_compressed(Compression::Gzip)
        .unary_raw(GET_USER, tonic::codegen::Bytes::from(message.into_bytes()))
        .await
        .expect("the echoed frame")
        .into_inner();
    assert_eq!(frame[0], 1, "the compressed flag");
    assert_eq!(&frame[5..7], &[0x1f, 0x8b], "a gzip member");
    assert!(frame.len() < 200, "{} bytes for 1900", frame.len());
}

#[wasm_bindgen_test]
async fn a_compression_bomb_stops_at_the_limit_and_corrupt_gzip_is_internal() {
    // 32 MiB of zeros in 200 KB with a wrong CRC: inflated to its end it fails the checksum
    // (INTERNAL), so RESOURCE_EXHAUSTED shows the inflation stopped at the limit.
    let bomb = fault("gzip-bomb")
        .max_decoding_message_size(1 << 20)
        .unary::<_, UserResponse>(GET_USER, UserRequest::default())
        .await
        .expect_err("over the limit");
    assert_eq!(bomb.code(), Code::ResourceExhausted, "{bomb}");
    assert_eq!(
        bomb.message(),
        "decompressed message exceeds the limit of 1048576 bytes"
    );
    let whole = fault("gzip-bomb")
        .max_decoding_message_size(64 << 20)
        .unary::<_, UserResponse>(GET_USER, UserRequest::default())
        .await
        .expect_err("a bad CRC");
    assert_eq!(whole.code(), Code::Internal, "{whole}");
    assert!(whole
        .message()
        .starts_with("failed to decompress a gzip message: "));

    let mut stream = fault("gzip-corrupt")
        .server_streaming::<_, UserResponse>(GET_USER, UserRequest::default())
        .await
        .expect("the stream's head");
    let mut ids = Vec::new();
    let status = loop {
        match stream.message().await {
            Ok(Some(user)) => ids.push(user.user_id),
            Ok(None) => panic!("no error after {ids:?}"),
            Err(status) => break status,
        }
    };
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(status.code(), Code::Internal, "{status}");
    assert!(
        status
            .message()
            .starts_with("failed to decompress a gzip message: "),
        "{status}"
    );
}
