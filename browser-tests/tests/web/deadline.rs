//! Deadlines: sent as `grpc-timeout`, enforced locally with `DEADLINE_EXCEEDED`, for unary
//! calls and streams, per call or as the client's default.

use std::time::Duration;

use grpc_web_wasm::{Code, Request};
use proto::grpc::testing::StreamingOutputCallResponse;
use wasm_bindgen_test::*;

use crate::server;
use crate::streaming::stream_of;

const STREAMING_OUTPUT_CALL: &str = "/grpc.testing.TestService/StreamingOutputCall";

#[wasm_bindgen_test]
async fn a_stream_past_its_deadline_fails_with_deadline_exceeded() {
    // One message now, the next in 5 s; the deadline is 600 ms.
    let mut request = Request::new(stream_of(&[1, 1], 5_000_000));
    request.set_timeout(Duration::from_millis(600));
    let started = js_sys::Date::now();
    let mut stream = server()
        .server_streaming::<_, StreamingOutputCallResponse>(STREAMING_OUTPUT_CALL, request)
        .await
        .expect("the stream starts within the deadline");
    let status = crate::final_status(&mut stream).await;
    let elapsed = js_sys::Date::now() - started;
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status}");
    // It must not have waited for the second message.
    assert!(elapsed < 4_000.0, "failed after {elapsed} ms");
}

#[wasm_bindgen_test]
async fn the_clients_default_deadline_applies_unless_a_call_sets_its_own() {
    use proto::demo::v1::{ListUsersRequest, UserResponse};
    // ListUsers with a per-row delay, read as a stream that outlives the default deadline.
    let client = server().timeout(Duration::from_millis(300));
    let request = ListUsersRequest {
        delay_ms: 2_000,
        ..Default::default()
    };
    let result = async {
        let mut s = client
            .server_streaming::<_, UserResponse>("/demo.v1.UserService/ListUsers", request)
            .await?;
        while s.message().await?.is_some() {}
        Ok::<_, grpc_web_wasm::Status>(())
    }
    .await;
    let status = result.expect_err("past the default deadline");
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status}");

    // A per-call deadline overrides the default.
    let mut generous = Request::new(proto::demo::v1::UserRequest { user_id: 1 });
    generous.set_timeout(Duration::from_secs(20));
    crate::get_user(&client, generous).await.expect("GetUser");
}

#[wasm_bindgen_test]
async fn the_local_deadline_ends_a_call_the_server_never_finishes() {
    // The fault peer sends a message, then neither trailers nor the end, and ignores
    // grpc-timeout: only the client's own timer can end this call.
    let mut request = Request::new(proto::demo::v1::UserRequest { user_id: 1 });
    request.set_timeout(Duration::from_millis(400));
    let started = js_sys::Date::now();
    let status = crate::get_user(&crate::fault("stall"), request)
        .await
        .expect_err("stalled");
    let elapsed = js_sys::Date::now() - started;
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status}");
    assert!(status.message().contains("400 ms"), "{status}");
    assert!(elapsed < 5_000.0, "ended after {elapsed} ms");
}
