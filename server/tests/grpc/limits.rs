//! What a call must meet: the bearer token where one is configured, the message size limit
//! both ways, and many calls served at once.

use std::time::{Duration, Instant};

use proto::demo::v1::user_service_client::UserServiceClient;
use proto::demo::v1::CreateUserRequest;
use proto::grpc::testing::test_service_client::TestServiceClient;
use proto::grpc::testing::{ResponseParameters, SimpleRequest, StreamingOutputCallRequest};
use tokio_stream::StreamExt;
use tonic::{Code, Request};

use crate::common::Server;
use crate::{interop, zeros};

#[tokio::test]
async fn create_user_needs_the_bearer_token_when_configured() {
    let server = Server::start(&["--auth-token", "s3cret"]);
    let mut users = UserServiceClient::new(server.channel().await);
    let new_user = || CreateUserRequest {
        name: "Niklaus Wirth".into(),
        email: "niklaus@example.com".into(),
    };
    let err = users.create_user(new_user()).await.unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    let mut wrong = Request::new(new_user());
    wrong
        .metadata_mut()
        .insert("authorization", "Bearer nope".parse().unwrap());
    assert_eq!(
        users.create_user(wrong).await.unwrap_err().code(),
        Code::Unauthenticated
    );

    let mut right = Request::new(new_user());
    right
        .metadata_mut()
        .insert("authorization", "Bearer s3cret".parse().unwrap());
    let made = users.create_user(right).await.unwrap().into_inner();
    assert_eq!(made.name, "Niklaus Wirth");
    // Other methods stay open.
    let got = users
        .get_user(proto::demo::v1::UserRequest {
            user_id: made.user_id,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.email, "niklaus@example.com");
}

#[tokio::test]
async fn message_size_limits_hold_both_ways() {
    let server = Server::start(&["--interop", "--max-message-size", "1024"]);
    let mut client = interop(&server).await;
    let err = client
        .unary_call(SimpleRequest {
            payload: zeros(2000),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::OutOfRange, "{err:?}");
    let err = client
        .unary_call(SimpleRequest {
            response_size: 2000,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::ResourceExhausted, "{err:?}");
    // Within the limit all is well.
    assert!(client
        .unary_call(SimpleRequest {
            response_size: 900,
            ..Default::default()
        })
        .await
        .is_ok());
}

#[tokio::test]
async fn thirty_two_calls_in_flight_at_once() {
    let server = Server::start(&["--interop"]);
    let channel = server.channel().await;
    let calls = (0..32).map(|_| {
        let mut client = TestServiceClient::new(channel.clone());
        tokio::spawn(async move {
            let stream = client
                .streaming_output_call(StreamingOutputCallRequest {
                    response_parameters: vec![ResponseParameters {
                        size: 1,
                        interval_us: 200_000,
                        compressed: None,
                    }],
                    ..Default::default()
                })
                .await?
                .into_inner();
            stream.collect::<Result<Vec<_>, _>>().await
        })
    });
    let started = Instant::now();
    for call in futures_util::future::join_all(calls).await {
        assert_eq!(call.unwrap().unwrap().len(), 1);
    }
    // All at once, not one after another (which would take 6.4 s).
    assert!(started.elapsed() < Duration::from_secs(3));
}
