//! Browser tests of tonic-generated clients over [`GrpcWebService`] (feature `tonic`;
//! clients from `proto`'s `tonic-client` feature): each call is made through tonic and
//! through the generated grpc-web-wasm client, against the dev-mode server that
//! `cargo xtask test` starts, and both must give the same result.

#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use futures_util::{stream, StreamExt};
use grpc_web_wasm::tonic::GrpcWebService;
use grpc_web_wasm::{Client, Code, Status};
use proto::demo::v1::user_service_client::UserServiceClient as TonicUsers;
use proto::demo::v1::{CreateUserRequest, ListUsersRequest, UserRequest, UserServiceClient};
use proto::grpc::testing::test_service_client::TestServiceClient as TonicInterop;
use proto::grpc::testing::{
    EchoStatus, ResponseParameters, SimpleRequest, StreamingInputCallRequest,
    StreamingOutputCallRequest, TestServiceClient,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[macro_use]
mod common;
use common::{server, stream_status};

/// The one line a tonic project changes: its transport.
fn tonic_users() -> TonicUsers<GrpcWebService> {
    TonicUsers::new(GrpcWebService::new(server()))
}

fn tonic_interop() -> TonicInterop<GrpcWebService> {
    TonicInterop::new(GrpcWebService::new(server()))
}

/// Asserts that tonic reports the status the typed client did.
fn assert_same(tonic: &tonic::Status, web: &Status) {
    assert_eq!(
        tonic.code() as i32,
        web.code().as_i32(),
        "{tonic:?} vs {web}"
    );
    assert_eq!(tonic.message(), web.message());
}

/// The status a tonic server-streaming call ends with.
async fn tonic_stream_status<T>(
    call: Result<tonic::Response<tonic::Streaming<T>>, tonic::Status>,
) -> tonic::Status {
    let mut stream = match call {
        Ok(response) => response.into_inner(),
        Err(status) => return status,
    };
    loop {
        match stream.message().await {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("the stream ended OK"),
            Err(status) => return status,
        }
    }
}

#[wasm_bindgen_test]
async fn unary_gives_the_same_message() {
    let request = UserRequest { user_id: 1 };
    let web = UserServiceClient::new(server())
        .get_user(request)
        .await
        .expect("GetUser(1)")
        .into_inner();
    let tonic = tonic_users()
        .get_user(request)
        .await
        .expect("GetUser(1) through tonic")
        .into_inner();
    assert_eq!(tonic, web);
    assert_eq!(tonic.name, "Ada Lovelace");
}

#[wasm_bindgen_test]
async fn not_found_is_the_same_status() {
    let request = UserRequest { user_id: 4242 };
    let web = UserServiceClient::new(server())
        .get_user(request)
        .await
        .expect_err("no user 4242");
    let tonic = tonic_users()
        .get_user(request)
        .await
        .expect_err("no user 4242 through tonic");
    assert_same(&tonic, &web);
    assert_eq!(tonic.code(), tonic::Code::NotFound);
    assert_eq!(tonic.message(), "user 4242 not found");
}

#[wasm_bindgen_test]
async fn metadata_goes_out_and_comes_back_through_tonic() {
    let mut request = tonic::Request::new(SimpleRequest {
        response_size: 3,
        ..Default::default()
    });
    let md = request.metadata_mut();
    md.insert("x-grpc-test-echo-initial", "hello".parse().unwrap());
    md.insert_bin(
        "x-grpc-test-echo-trailing-bin",
        tonic::metadata::MetadataValue::from_bytes(&[0xca, 0xfe]),
    );
    let reply = tonic_interop()
        .unary_call(request)
        .await
        .expect("UnaryCall through tonic");
    // tonic merges the trailers into the unary response's metadata.
    let md = reply.metadata();
    assert_eq!(md.get("x-grpc-test-echo-initial").unwrap(), "hello");
    assert_eq!(
        md.get_bin("x-grpc-test-echo-trailing-bin")
            .expect("echoed trailer")
            .to_bytes()
            .unwrap(),
        &[0xca, 0xfe][..]
    );
    assert_eq!(
        reply.get_ref().payload.as_ref().unwrap().body[..],
        [0, 0, 0]
    );
}

#[wasm_bindgen_test]
async fn rich_error_details_are_the_same_bytes() {
    let request = CreateUserRequest {
        name: " ".into(),
        email: "not an address".into(),
    };
    let web = UserServiceClient::new(server())
        .create_user(request.clone())
        .await
        .expect_err("invalid fields");
    let tonic = tonic_users()
        .create_user(request)
        .await
        .expect_err("invalid fields through tonic");
    assert_same(&tonic, &web);
    assert_eq!(tonic.code(), tonic::Code::InvalidArgument);
    // `details()` means what tonic's does: the bytes of grpc-status-details-bin.
    assert!(!web.details().is_empty());
    assert_eq!(tonic.details(), web.details().as_slice());
}

#[wasm_bindgen_test]
async fn server_stream_gives_the_same_messages_then_ok() {
    let request = ListUsersRequest {
        page_size: 3,
        ..Default::default()
    };
    let mut web = UserServiceClient::new(server())
        .list_users(request.clone())
        .await
        .expect("ListUsers");
    let mut web_users = Vec::new();
    while let Some(user) = web.message().await.expect("a user") {
        web_users.push(user);
    }

    let mut tonic = tonic_users()
        .list_users(request)
        .await
        .expect("ListUsers through tonic")
        .into_inner();
    let mut tonic_users = Vec::new();
    while let Some(user) = tonic.message().await.expect("a user through tonic") {
        tonic_users.push(user);
    }
    assert!(tonic.trailers().await.expect("trailers").is_some());

    assert_eq!(tonic_users, web_users);
    assert_eq!(
        tonic_users.iter().map(|u| u.user_id).collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

#[wasm_bindgen_test]
async fn a_failing_stream_ends_with_the_same_status() {
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
    let web = stream_status(
        TestServiceClient::new(server())
            .streaming_output_call(request.clone())
            .await,
    )
    .await;
    let tonic = tonic_stream_status(tonic_interop().streaming_output_call(request).await).await;
    assert_same(&tonic, &web);
    assert_eq!(tonic.code(), tonic::Code::FailedPrecondition);
}

#[wasm_bindgen_test]
async fn tonics_timeout_is_the_same_deadline_exceeded() {
    // The server pauses a second before each user; the call allows 200 ms.
    let request = ListUsersRequest {
        delay_ms: 1000,
        ..Default::default()
    };
    let mut web_request = grpc_web_wasm::Request::new(request.clone());
    web_request.set_timeout(Duration::from_millis(200));
    let web = stream_status(
        UserServiceClient::new(server())
            .list_users(web_request)
            .await,
    )
    .await;

    let mut tonic_request = tonic::Request::new(request);
    tonic_request.set_timeout(Duration::from_millis(200));
    let tonic = tonic_stream_status(tonic_users().list_users(tonic_request).await).await;

    assert_eq!(web.code(), Code::DeadlineExceeded, "{web}");
    assert_eq!(tonic.code(), tonic::Code::DeadlineExceeded, "{tonic:?}");
}

#[wasm_bindgen_test]
async fn request_streams_go_over_a_websocket_on_both_paths() {
    let requests = || {
        stream::iter([3, 4].map(|n| StreamingInputCallRequest {
            payload: Some(proto::grpc::testing::Payload {
                body: vec![0; n].into(),
                ..Default::default()
            }),
            ..Default::default()
        }))
    };
    let web = TestServiceClient::new(server())
        .streaming_input_call(requests())
        .await
        .expect("client streaming");
    let tonic = tonic_interop()
        .streaming_input_call(requests())
        .await
        .expect("client streaming through tonic");
    assert_eq!(web.get_ref(), tonic.get_ref());
    assert_eq!(web.get_ref().aggregated_payload_size, 7);

    let pings = || {
        stream::iter(
            [2, 5].map(|n| proto::grpc::testing::StreamingOutputCallRequest {
                response_parameters: vec![proto::grpc::testing::ResponseParameters {
                    size: n,
                    ..Default::default()
                }],
                ..Default::default()
            }),
        )
    };
    let web: Vec<_> = TestServiceClient::new(server())
        .full_duplex_call(pings())
        .await
        .expect("bidi")
        .map(|r| r.expect("OK"))
        .collect()
        .await;
    let mut tonic_stream = tonic_interop()
        .full_duplex_call(pings())
        .await
        .expect("bidi through tonic")
        .into_inner();
    let mut tonic = Vec::new();
    while let Some(reply) = tonic_stream.message().await.expect("OK") {
        tonic.push(reply);
    }
    assert_eq!(web, tonic);
    assert_eq!(web.len(), 2);
}

#[wasm_bindgen_test]
async fn an_unreachable_server_is_the_same_unavailable() {
    // xtask reserves a loopback port and closes it again: a refused connection.
    let dead = || Client::new(test_env!("GRPC_WEB_TEST_DEAD_SERVER"));
    let web = UserServiceClient::new(dead())
        .get_user(UserRequest { user_id: 1 })
        .await
        .expect_err("refused");
    let tonic = TonicUsers::new(GrpcWebService::new(dead()))
        .get_user(UserRequest { user_id: 1 })
        .await
        .expect_err("refused through tonic");
    assert_same(&tonic, &web);
    assert_eq!(tonic.code(), tonic::Code::Unavailable);
}
