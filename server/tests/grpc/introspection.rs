//! The services that describe the server itself: health, per service, and reflection.

use tonic::Code;

use crate::common::Server;

#[tokio::test]
async fn health_reports_serving_per_service() {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::health_client::HealthClient;
    use tonic_health::pb::HealthCheckRequest;

    let server = Server::start(&["--interop"]);
    let mut health = HealthClient::new(server.channel().await);
    for service in [
        "",
        "demo.v1.UserService",
        "demo.v1.ScoreService",
        "demo.v1.ChatService",
        "grpc.testing.TestService",
    ] {
        let reply = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(reply.status(), ServingStatus::Serving, "{service:?}");
    }
    let err = health
        .check(HealthCheckRequest {
            service: "no.such.Service".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
}

#[tokio::test]
async fn reflection_lists_the_services_in_v1_and_v1alpha() {
    use tonic_reflection::pb::{v1, v1alpha};

    let server = Server::start(&[]);
    let wanted = [
        "demo.v1.UserService",
        "demo.v1.ScoreService",
        "demo.v1.ChatService",
        "grpc.testing.TestService",
        "grpc.health.v1.Health",
    ];

    let mut client =
        v1::server_reflection_client::ServerReflectionClient::new(server.channel().await);
    let request = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(
            String::new(),
        )),
    };
    let mut replies = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let reply = replies.message().await.unwrap().unwrap();
    let Some(v1::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
        reply.message_response
    else {
        panic!("unexpected reply {reply:?}")
    };
    let names: Vec<_> = list.service.into_iter().map(|s| s.name).collect();
    for w in wanted {
        assert!(names.iter().any(|n| n == w), "{w} not in {names:?}");
    }

    // v1alpha: the file defining a symbol, imports resolvable.
    let mut alpha =
        v1alpha::server_reflection_client::ServerReflectionClient::new(server.channel().await);
    let request = v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            v1alpha::server_reflection_request::MessageRequest::FileContainingSymbol(
                "grpc.testing.TestService".into(),
            ),
        ),
    };
    let mut replies = alpha
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let reply = replies.message().await.unwrap().unwrap();
    let Some(v1alpha::server_reflection_response::MessageResponse::FileDescriptorResponse(files)) =
        reply.message_response
    else {
        panic!("unexpected reply {reply:?}")
    };
    assert!(!files.file_descriptor_proto.is_empty());
}
