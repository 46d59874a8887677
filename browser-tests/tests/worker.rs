//! The client in a dedicated Web Worker: no `window`, only the worker's global `fetch`
//! and timers. Same real server as the other browser tests.

#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use grpc_web_wasm::{Code, Request};
use proto::demo::v1::{ListUsersRequest, UserRequest, UserResponse};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[macro_use]
mod common;
use common::server;

#[wasm_bindgen_test]
async fn calls_and_streams_work_in_a_worker() {
    assert!(
        js_sys::Reflect::get(&js_sys::global(), &"window".into())
            .unwrap()
            .is_undefined(),
        "this test must run without a window"
    );
    let mut request = Request::new(UserRequest { user_id: 2 });
    request.set_timeout(Duration::from_secs(20));
    let user = server()
        .unary::<_, UserResponse>("/demo.v1.UserService/GetUser", request)
        .await
        .expect("GetUser in a worker");
    assert_eq!(user.get_ref().name, "Alan Turing");

    let mut stream = server()
        .server_streaming::<_, UserResponse>(
            "/demo.v1.UserService/ListUsers",
            ListUsersRequest::default(),
        )
        .await
        .expect("ListUsers in a worker");
    let mut n = 0;
    while stream.message().await.expect("message").is_some() {
        n += 1;
    }
    assert!(n >= 3, "{n} users");
}

#[wasm_bindgen_test]
async fn deadlines_fire_in_a_worker() {
    // The misbehaving peer's stalled reply ignores grpc-timeout and never ends: only the
    // client's own timer, in the worker, can end the call.
    let stall =
        grpc_web_wasm::Client::new(format!("{}/stall", test_env!("GRPC_WEB_TEST_FAULT_SERVER")));
    let mut request = Request::new(UserRequest { user_id: 1 });
    request.set_timeout(Duration::from_millis(300));
    let status = stall
        .unary::<_, UserResponse>("/demo.v1.UserService/GetUser", request)
        .await
        .expect_err("stalled");
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status}");
    // The client's own wording: a server-side deadline would say something else.
    assert_eq!(status.message(), "deadline of 300 ms exceeded");

    // A stream, too.
    let mut request = Request::new(ListUsersRequest {
        delay_ms: 3_000,
        ..Default::default()
    });
    request.set_timeout(Duration::from_millis(200));
    let result = async {
        let mut s = server()
            .server_streaming::<_, UserResponse>("/demo.v1.UserService/ListUsers", request)
            .await?;
        while s.message().await?.is_some() {}
        Ok::<_, grpc_web_wasm::Status>(())
    }
    .await;
    assert_eq!(result.unwrap_err().code(), Code::DeadlineExceeded);
}

#[wasm_bindgen_test]
async fn client_streaming_and_bidi_work_in_a_worker() {
    use futures_util::stream;
    use proto::grpc::testing::{
        ResponseParameters, StreamingInputCallRequest, StreamingInputCallResponse,
        StreamingOutputCallRequest, StreamingOutputCallResponse,
    };
    let reply = server()
        .client_streaming::<_, _, StreamingInputCallResponse>(
            "/grpc.testing.TestService/StreamingInputCall",
            stream::iter([StreamingInputCallRequest {
                payload: Some(proto::grpc::testing::Payload {
                    body: vec![0; 100].into(),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
        )
        .await
        .expect("StreamingInputCall in a worker");
    assert_eq!(reply.get_ref().aggregated_payload_size, 100);
    let ping = StreamingOutputCallRequest {
        response_parameters: vec![ResponseParameters {
            size: 7,
            ..Default::default()
        }],
        ..Default::default()
    };
    let mut replies = server()
        .streaming::<_, _, StreamingOutputCallResponse>(
            "/grpc.testing.TestService/FullDuplexCall",
            stream::iter([ping]),
        )
        .await
        .expect("FullDuplexCall in a worker");
    let first = replies.message().await.expect("OK").expect("a reply");
    assert_eq!(first.payload.map_or(0, |p| p.body.len()), 7);
    assert!(replies.message().await.expect("OK").is_none());
}
