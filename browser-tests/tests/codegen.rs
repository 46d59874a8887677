//! Browser tests of the generated clients (grpc-web-wasm-build, through `proto`'s `client`
//! feature): real Chromium, real `fetch`, against the dev-mode server that
//! `cargo xtask test` starts and names in `GRPC_WEB_TEST_SERVER`.

#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use futures_util::{stream, StreamExt};
use grpc_web_wasm::{CancelHandle, Code, Request};
use proto::demo::v1::{CreateUserRequest, ListUsersRequest, UserRequest, UserServiceClient};
use proto::grpc::testing::{
    EchoStatus, ResponseParameters, SimpleRequest, StreamingInputCallRequest,
    StreamingOutputCallRequest, TestServiceClient,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[macro_use]
mod common;
use common::{server, stream_status};

fn users() -> UserServiceClient {
    UserServiceClient::new(server())
}

fn interop() -> TestServiceClient {
    TestServiceClient::new(server())
}

#[wasm_bindgen_test]
async fn unary_returns_the_message_and_its_trailers() {
    let reply = users()
        .get_user(UserRequest { user_id: 1 })
        .await
        .expect("GetUser(1)");
    assert_eq!(reply.trailers().get("grpc-status"), Some("0"));
    let user = reply.into_inner();
    assert_eq!((user.user_id, user.name.as_str()), (1, "Ada Lovelace"));
}

#[wasm_bindgen_test]
async fn unary_failure_is_the_servers_status() {
    let status = users()
        .get_user(UserRequest { user_id: 4242 })
        .await
        .expect_err("user 4242 does not exist");
    assert_eq!(status.code(), Code::NotFound, "{status}");
    assert_eq!(status.message(), "user 4242 not found");
}

#[wasm_bindgen_test]
async fn request_metadata_goes_out_and_reply_metadata_comes_back() {
    // The interop service echoes these two back, as a header and as a trailer.
    let mut request = Request::new(SimpleRequest {
        response_size: 3,
        ..Default::default()
    });
    let md = request.metadata_mut();
    md.insert("x-grpc-test-echo-initial", "hello").unwrap();
    md.insert_bin("x-grpc-test-echo-trailing-bin", &[0xca, 0xfe])
        .unwrap();
    let reply = interop().unary_call(request).await.expect("UnaryCall");
    assert_eq!(
        reply.headers().get("x-grpc-test-echo-initial"),
        Some("hello")
    );
    assert_eq!(
        reply
            .trailers()
            .get_bin("x-grpc-test-echo-trailing-bin")
            .expect("echoed trailer")
            .unwrap(),
        [0xca, 0xfe]
    );
    assert_eq!(
        reply.get_ref().payload.as_ref().unwrap().body[..],
        [0, 0, 0]
    );
}

#[wasm_bindgen_test]
async fn rich_error_details_arrive_with_the_status() {
    let status = users()
        .create_user(CreateUserRequest {
            name: " ".into(),
            email: "not an address".into(),
        })
        .await
        .expect_err("invalid fields");
    assert_eq!(status.code(), Code::InvalidArgument, "{status}");
    let details = status.error_details();
    assert!(
        details
            .iter()
            .any(|d| d.type_url.ends_with("google.rpc.BadRequest")),
        "{details:?}"
    );
}

#[wasm_bindgen_test]
async fn server_stream_yields_each_message_then_the_trailers() {
    let mut users = users()
        .list_users(ListUsersRequest {
            page_size: 3,
            ..Default::default()
        })
        .await
        .expect("ListUsers");
    let mut ids = Vec::new();
    while let Some(user) = users.message().await.expect("a user") {
        ids.push(user.user_id);
    }
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(
        users.trailers().and_then(|t| t.get("grpc-status")),
        Some("0")
    );
}

#[wasm_bindgen_test]
async fn server_stream_is_a_stream_of_the_requested_sizes() {
    let sizes = [1, 10, 100];
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
    let replies: Vec<_> = interop()
        .streaming_output_call(request)
        .await
        .expect("StreamingOutputCall")
        .map(|reply| reply.expect("a reply").payload.unwrap().body.len() as i32)
        .collect()
        .await;
    assert_eq!(replies, sizes);
}

#[wasm_bindgen_test]
async fn a_failing_stream_ends_with_the_servers_status() {
    let request = StreamingOutputCallRequest {
        response_parameters: vec![ResponseParameters {
            size: 1,
            ..Default::default()
        }],
        response_status: Some(EchoStatus {
            code: Code::FailedPrecondition.as_i32(),
            message: "stopped on request".into(),
        }),
        ..Default::default()
    };
    let status = stream_status(interop().streaming_output_call(request).await).await;
    assert_eq!(status.code(), Code::FailedPrecondition, "{status}");
    assert_eq!(status.message(), "stopped on request");
}

#[wasm_bindgen_test]
async fn a_per_call_timeout_is_deadline_exceeded() {
    // The server pauses a second before each user; the call allows 200 ms.
    let mut request = Request::new(ListUsersRequest {
        delay_ms: 1000,
        ..Default::default()
    });
    request.set_timeout(Duration::from_millis(200));
    let status = stream_status(users().list_users(request).await).await;
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status}");
}

#[wasm_bindgen_test]
async fn a_cancel_signal_ends_the_stream_as_cancelled() {
    let handle = CancelHandle::new();
    let mut request = Request::new(ListUsersRequest {
        delay_ms: 200,
        ..Default::default()
    });
    request.set_signal(handle.signal());
    let mut stream = users().list_users(request).await.expect("ListUsers");
    assert_eq!(stream.message().await.expect("user 1").unwrap().user_id, 1);
    handle.cancel();
    let status = stream.message().await.expect_err("cancelled");
    assert_eq!(status.code(), Code::Cancelled, "{status}");
}

#[wasm_bindgen_test]
async fn client_streaming_and_bidi_methods_call_over_a_websocket() {
    let test = interop();
    let payload = |size: usize| {
        Some(proto::grpc::testing::Payload {
            body: vec![0; size].into(),
            ..Default::default()
        })
    };
    let reply = test
        .streaming_input_call(stream::iter([27182, 8].map(|n| {
            StreamingInputCallRequest {
                payload: payload(n),
                ..Default::default()
            }
        })))
        .await
        .expect("StreamingInputCall");
    assert_eq!(reply.get_ref().aggregated_payload_size, 27190);

    let pings = stream::iter([3, 5].map(|n| StreamingOutputCallRequest {
        response_parameters: vec![ResponseParameters {
            size: n,
            ..Default::default()
        }],
        ..Default::default()
    }));
    let replies = test.full_duplex_call(pings).await.expect("FullDuplexCall");
    let sizes: Vec<usize> = replies
        .map(|r| r.expect("OK").payload.map_or(0, |p| p.body.len()))
        .collect()
        .await;
    assert_eq!(sizes, [3, 5]);
    let empty = test
        .full_duplex_call(stream::empty())
        .await
        .expect("FullDuplexCall");
    assert_eq!(empty.count().await, 0);
}

/// A generated client on the misbehaving peer's retry route `scenario`, and a request
/// keyed for it alone.
fn on_retry_route(scenario: &str) -> (UserServiceClient, Request<UserRequest>) {
    let base = format!(
        "{}/retry/{scenario}",
        test_env!("GRPC_WEB_TEST_FAULT_SERVER")
    );
    let mut request = Request::new(UserRequest { user_id: 1 });
    let key = format!("codegen{}", js_sys::Math::random());
    request.metadata_mut().insert("x-retry-key", &key).unwrap();
    (
        UserServiceClient::new(grpc_web_wasm::Client::new(base)),
        request,
    )
}

#[wasm_bindgen_test]
async fn generated_clients_retry_and_hedge_their_idempotent_methods() {
    use grpc_web_wasm::protocol::retry::{HedgingPolicy, RetryPolicy};
    assert_eq!(
        UserServiceClient::IDEMPOTENT_METHODS,
        [
            "/demo.v1.UserService/GetUser",
            "/demo.v1.UserService/ListUsers"
        ]
    );
    let ms = Duration::from_millis(10);
    let policy = RetryPolicy::new(3, ms, ms, 1.0, &[Code::Unavailable]).unwrap();
    let (users, request) = on_retry_route("fail/14/1");
    let reply = users.with_retry_policy(policy).get_user(request).await;
    assert_eq!(reply.expect("the retry succeeds").get_ref().user_id, 2);

    let (users, request) = on_retry_route("slow-first/3000");
    let hedging = HedgingPolicy::new(2, Duration::from_millis(100), &[]).unwrap();
    let started = js_sys::Date::now();
    let reply = users.with_hedging(hedging).get_user(request).await;
    assert_eq!(reply.expect("the hedge succeeds").get_ref().user_id, 2);
    assert!(js_sys::Date::now() - started < 2000.0);
}
