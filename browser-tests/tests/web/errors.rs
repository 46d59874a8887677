//! Failures: what the server refuses, what the network refuses, and replies no gRPC-Web
//! server sends (from the misbehaving peer xtask runs), each with its code and message.

use grpc_web_wasm::{Client, Code, Request, Status};
use proto::demo::v1::{UserRequest, UserResponse};
use wasm_bindgen_test::*;

use crate::{fault, get_user, server, GET_USER};

#[wasm_bindgen_test]
async fn unknown_user_is_not_found_with_the_servers_message() {
    let status = get_user(&server(), Request::new(UserRequest { user_id: 4242 }))
        .await
        .expect_err("user 4242 does not exist");
    assert_eq!(status.code(), Code::NotFound, "{status}");
    assert_eq!(status.message(), "user 4242 not found");
}

#[wasm_bindgen_test]
async fn unknown_method_is_unimplemented() {
    let status = server()
        .unary::<_, UserResponse>(
            "/demo.v1.UserService/NoSuchMethod",
            UserRequest { user_id: 1 },
        )
        .await
        .expect_err("no such method");
    assert_eq!(status.code(), Code::Unimplemented, "{status}");
}

#[wasm_bindgen_test]
async fn oversized_reply_is_resource_exhausted() {
    // The encoded reply for user 1 is well over 8 bytes.
    let status = server()
        .max_decoding_message_size(8)
        .unary::<_, UserResponse>(GET_USER, UserRequest { user_id: 1 })
        .await
        .expect_err("reply exceeds the limit");
    assert_eq!(status.code(), Code::ResourceExhausted, "{status}");
}

#[wasm_bindgen_test]
async fn unreachable_server_is_unavailable() {
    // xtask reserves a loopback port and closes it again: a refused connection.
    let status = get_user_fails(test_env!("GRPC_WEB_TEST_DEAD_SERVER")).await;
    assert_eq!(status.code(), Code::Unavailable, "{status}");
}

#[wasm_bindgen_test]
async fn a_malformed_base_url_is_internal_not_a_network_failure() {
    let status = get_user_fails("http://[not-a-host").await;
    assert_eq!(status.code(), Code::Internal, "{status}");
    assert!(status.message().contains("invalid request to"), "{status}");
}

#[wasm_bindgen_test]
async fn cors_refusal_is_unavailable_and_says_so() {
    // A second server that admits only https://app.example.com: this page's origin is refused.
    // xtask starts it and waits for it to listen before the tests run, so a failed fetch here
    // is the CORS refusal. (A no-cors probe cannot check from here: Chromium's opaque-response
    // blocking turns the probe into a network error too.)
    let status = get_user_fails(test_env!("GRPC_WEB_TEST_STRICT_SERVER")).await;
    assert_eq!(status.code(), Code::Unavailable, "{status}");
    assert!(status.message().contains("CORS"), "{status}");
    assert!(
        status.message().contains("http://127.0.0.1:"),
        "names the page origin: {status}"
    );
}

/// GetUser(1) on a server at `base` that must fail.
async fn get_user_fails(base: impl Into<String>) -> Status {
    let base = base.into();
    match get_user(
        &Client::new(base.clone()),
        Request::new(UserRequest { user_id: 1 }),
    )
    .await
    {
        Ok(user) => panic!("{base} answered {user:?}; expected an error"),
        Err(status) => status,
    }
}

/// GetUser on a route of the misbehaving peer xtask runs.
async fn against_fault(route: &str) -> Status {
    get_user_fails(fault(route).base_url()).await
}

#[wasm_bindgen_test]
async fn proxy_error_page_maps_from_the_http_status() {
    let status = against_fault("html-502").await;
    assert_eq!(status.code(), Code::Unavailable, "{status}");
    assert!(status.message().contains("HTTP 502"), "{status}");
    assert!(status.message().contains("text/html"), "{status}");
    // The HTTP status and the start of the page are kept for debugging.
    assert_eq!(status.http_status(), Some(502));
    assert_eq!(
        status.body_excerpt(),
        Some("<html><body><h1>502 Bad Gateway</h1></body></html>")
    );
}

#[wasm_bindgen_test]
async fn html_with_200_is_unknown_and_names_the_content_type() {
    let status = against_fault("html-200").await;
    assert_eq!(status.code(), Code::Unknown, "{status}");
    assert!(status.message().contains("text/html"), "{status}");
    assert_eq!(status.http_status(), Some(200));
    assert_eq!(
        status.body_excerpt(),
        Some("<!doctype html><title>app</title>")
    );
}

#[wasm_bindgen_test]
async fn huge_length_prefix_is_resource_exhausted() {
    let status = against_fault("huge").await;
    assert_eq!(status.code(), Code::ResourceExhausted, "{status}");
    assert!(status.message().contains("4294967295"), "{status}");
}

#[wasm_bindgen_test]
async fn protocol_violations_are_internal() {
    for (route, says) in [
        ("truncated", "ended inside a frame"),
        ("no-trailers", "without trailers"),
        ("bad-flags", "reserved flag"),
        ("bad-message", "decode"),
        ("compressed-no-encoding", "no grpc-encoding"),
        ("unknown-encoding", "\"snappy\""),
    ] {
        let status = against_fault(route).await;
        assert_eq!(status.code(), Code::Internal, "{route}: {status}");
        assert!(status.message().contains(says), "{route}: {status}");
    }
}

#[wasm_bindgen_test]
async fn rich_error_details_reach_the_caller() {
    use proto::demo::v1::CreateUserRequest;
    use proto::google::rpc::BadRequest;

    let status = server()
        .unary::<_, UserResponse>(
            "/demo.v1.UserService/CreateUser",
            CreateUserRequest {
                name: String::new(),
                email: "not-an-email".into(),
            },
        )
        .await
        .expect_err("invalid user");
    assert_eq!(status.code(), Code::InvalidArgument, "{status}");
    let bad = status
        .detail::<BadRequest>()
        .unwrap_or_else(|| panic!("no BadRequest in {:?}", status.error_details()));
    let fields: Vec<&str> = bad
        .field_violations
        .iter()
        .map(|v| v.field.as_str())
        .collect();
    assert!(
        fields.contains(&"name") && fields.contains(&"email"),
        "{fields:?}"
    );
    assert!(bad
        .field_violations
        .iter()
        .all(|v| !v.description.is_empty()));
}

#[wasm_bindgen_test]
async fn server_status_and_non_ascii_message_round_trip() {
    use proto::grpc::testing::{EchoStatus, SimpleRequest, SimpleResponse};

    let message = "déjà vu: 100% \u{1F680}\nnext line";
    for code in [Code::Aborted, Code::OutOfRange, Code::DataLoss] {
        let status = server()
            .unary::<_, SimpleResponse>(
                "/grpc.testing.TestService/UnaryCall",
                SimpleRequest {
                    response_status: Some(EchoStatus {
                        code: code.as_i32(),
                        message: message.into(),
                    }),
                    ..Default::default()
                },
            )
            .await
            .expect_err("echoed status");
        assert_eq!((status.code(), status.message()), (code, message));
    }
}
