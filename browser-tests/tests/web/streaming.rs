//! Server streaming: messages as they arrive, headers first, trailers last, errors after
//! messages, and memory that stays flat over a long stream.

use futures_util::StreamExt as _;
use grpc_web_wasm::{Code, Mode, Request};
use proto::demo::v1::{ListUsersRequest, UserResponse};
use proto::grpc::testing::{
    EchoStatus, ResponseParameters, StreamingOutputCallRequest, StreamingOutputCallResponse,
};
use wasm_bindgen_test::*;

use crate::server;

const STREAMING_OUTPUT_CALL: &str = "/grpc.testing.TestService/StreamingOutputCall";

pub fn stream_of(sizes: &[i32], interval_us: i32) -> StreamingOutputCallRequest {
    StreamingOutputCallRequest {
        response_parameters: sizes
            .iter()
            .map(|&size| ResponseParameters {
                size,
                interval_us,
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

#[wasm_bindgen_test]
async fn list_users_streams_every_user_in_order() {
    let mut stream = server()
        .server_streaming::<_, UserResponse>(
            "/demo.v1.UserService/ListUsers",
            ListUsersRequest::default(),
        )
        .await
        .expect("ListUsers");
    assert!(stream.trailers().is_none(), "no trailers before the end");
    let mut names = Vec::new();
    while let Some(user) = stream.message().await.expect("message") {
        names.push(user.name);
    }
    assert_eq!(names[..3], ["Ada Lovelace", "Alan Turing", "Grace Hopper"]);
    assert_eq!(stream.trailers().unwrap().get("grpc-status"), Some("0"));
}

#[wasm_bindgen_test]
async fn sizes_and_order_are_kept_in_both_modes() {
    let sizes = [0, 1, 31_415, 9, 270_000, 2_653];
    for mode in [Mode::Binary, Mode::Text] {
        let stream = server()
            .mode(mode)
            .server_streaming::<_, StreamingOutputCallResponse>(
                STREAMING_OUTPUT_CALL,
                stream_of(&sizes, 0),
            )
            .await
            .expect("StreamingOutputCall");
        let got: Vec<usize> = stream
            .map(|m| m.expect("message").payload.map_or(0, |p| p.body.len()))
            .collect()
            .await;
        assert_eq!(got, sizes.map(|s| s as usize), "{mode:?}");
    }
}

#[wasm_bindgen_test]
async fn messages_arrive_before_the_stream_ends() {
    // Two messages 1.5 s apart: the first must be handed out while the second is pending.
    let mut stream = server()
        .server_streaming::<_, StreamingOutputCallResponse>(
            STREAMING_OUTPUT_CALL,
            stream_of(&[5, 6], 1_500_000),
        )
        .await
        .expect("stream");
    let t0 = js_sys::Date::now();
    let first = stream.message().await.unwrap().expect("first");
    let t1 = js_sys::Date::now();
    let second = stream.message().await.unwrap().expect("second");
    let t2 = js_sys::Date::now();
    assert_eq!(first.payload.unwrap().body.len(), 5);
    assert_eq!(second.payload.unwrap().body.len(), 6);
    // Not a timing assertion on speed: the gap proves the first was delivered early.
    assert!(
        t2 - t1 > 1000.0,
        "first at {}, second at {}",
        t1 - t0,
        t2 - t0
    );
    assert!(stream.message().await.unwrap().is_none());
}

#[wasm_bindgen_test]
async fn an_error_status_ends_the_stream_after_its_messages() {
    let mut request = stream_of(&[3, 4], 0);
    request.response_status = Some(EchoStatus {
        code: Code::ResourceExhausted.as_i32(),
        message: "quota gone".into(),
    });
    let mut stream = server()
        .server_streaming::<_, StreamingOutputCallResponse>(STREAMING_OUTPUT_CALL, request)
        .await
        .expect("stream starts");
    let mut got = Vec::new();
    let status = loop {
        match stream.message().await {
            Ok(Some(m)) => got.push(m.payload.map_or(0, |p| p.body.len())),
            Ok(None) => panic!("ended OK; expected RESOURCE_EXHAUSTED"),
            Err(status) => break status,
        }
    };
    // The server sends both messages, then the status: none may be lost.
    assert_eq!(got, [3, 4]);
    assert_eq!(
        (status.code(), status.message()),
        (Code::ResourceExhausted, "quota gone")
    );
    assert!(stream.trailers().is_some());
    assert!(stream.message().await.unwrap().is_none(), "ended for good");
}

#[wasm_bindgen_test]
async fn headers_are_there_before_the_first_message() {
    let mut request = Request::new(stream_of(&[1], 500_000));
    request
        .metadata_mut()
        .insert("x-grpc-test-echo-initial", "early")
        .unwrap();
    let stream = server()
        .server_streaming::<_, StreamingOutputCallResponse>(STREAMING_OUTPUT_CALL, request)
        .await
        .expect("stream");
    assert_eq!(
        stream.headers().get("x-grpc-test-echo-initial"),
        Some("early")
    );
}

/// The wasm linear memory's size in bytes.
fn memory_bytes() -> f64 {
    use wasm_bindgen::JsCast as _;
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    memory
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}

#[wasm_bindgen_test]
async fn a_large_stream_keeps_memory_flat() {
    // 96 MiB in 64 KiB messages. Memory may grow by buffers for a few messages and chunks,
    // never by the stream's length.
    const COUNT: usize = 1536;
    const SIZE: i32 = 64 * 1024;
    let warmup = stream_of(&[SIZE; 16], 0);
    let mut s = server()
        .server_streaming::<_, StreamingOutputCallResponse>(STREAMING_OUTPUT_CALL, warmup)
        .await
        .unwrap();
    while s.message().await.unwrap().is_some() {}

    let before = memory_bytes();
    let mut stream = server()
        .server_streaming::<_, StreamingOutputCallResponse>(
            STREAMING_OUTPUT_CALL,
            stream_of(&[SIZE; COUNT], 0),
        )
        .await
        .expect("large stream");
    let (mut n, mut bytes) = (0usize, 0usize);
    while let Some(m) = stream.message().await.expect("message") {
        n += 1;
        bytes += m.payload.map_or(0, |p| p.body.len());
    }
    let grown = memory_bytes() - before;
    assert_eq!((n, bytes), (COUNT, COUNT * SIZE as usize));
    assert!(
        grown <= 8.0 * 1024.0 * 1024.0,
        "memory grew by {grown} bytes over a {} MiB stream",
        bytes >> 20
    );
}
