//! The server binary as a native gRPC client meets it: tonic over HTTP/2 (h2c). The
//! standard interop cases, health, reflection, the auth check, limits, the demo services
//! and graceful shutdown.

mod common;

use std::time::{Duration, Instant};

use common::Server;
use proto::demo::v1::chat_service_client::ChatServiceClient;
use proto::demo::v1::score_service_client::ScoreServiceClient;
use proto::demo::v1::user_service_client::UserServiceClient;
use proto::demo::v1::{
    CreateUserRequest, ListUsersRequest, SendRequest, SubscribeRequest, WatchScoresRequest,
};
use proto::grpc::testing::test_service_client::TestServiceClient;
use proto::grpc::testing::unimplemented_service_client::UnimplementedServiceClient;
use proto::grpc::testing::{
    EchoStatus, Empty, Payload, ResponseParameters, SimpleRequest, StreamingInputCallRequest,
    StreamingOutputCallRequest,
};
use tokio_stream::StreamExt;
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;
use tonic::{Code, Request};

fn zeros(n: usize) -> Option<Payload> {
    Some(Payload {
        r#type: 0,
        body: vec![0; n].into(),
    })
}

fn params(sizes: &[i32]) -> Vec<ResponseParameters> {
    sizes
        .iter()
        .map(|&size| ResponseParameters {
            size,
            interval_us: 0,
            compressed: None,
        })
        .collect()
}

async fn interop(server: &Server) -> TestServiceClient<Channel> {
    TestServiceClient::new(server.channel().await)
}

#[tokio::test]
async fn empty_unary_and_large_unary() {
    let server = Server::start(&["--interop"]);
    let mut client = interop(&server).await;
    let empty = client.empty_call(Empty {}).await.unwrap().into_inner();
    assert_eq!(empty, Empty {});

    let reply = client
        .unary_call(SimpleRequest {
            response_size: 314_159,
            payload: zeros(271_828),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(reply.payload.unwrap().body, vec![0; 314_159]);
}

#[tokio::test]
async fn client_streaming_server_streaming_and_ping_pong() {
    let server = Server::start(&["--interop"]);
    let mut client = interop(&server).await;

    let sizes = [27_182, 8, 1_828, 45_904];
    let requests = tokio_stream::iter(sizes.map(|n| StreamingInputCallRequest {
        payload: zeros(n),
        expect_compressed: None,
    }));
    let total = client
        .streaming_input_call(requests)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(total.aggregated_payload_size, 74_922);

    let out = [31_415, 9, 2_653, 58_979];
    let stream = client
        .streaming_output_call(StreamingOutputCallRequest {
            response_parameters: params(&out),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let got: Vec<usize> = stream
        .map(|r| r.unwrap().payload.unwrap().body.len())
        .collect()
        .await;
    assert_eq!(got, out.map(|n| n as usize));

    // Ping-pong: each request answered before the next is sent.
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let mut replies = client
        .full_duplex_call(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    for (ask, payload) in out.iter().zip([27_182, 8, 1_828, 45_904]) {
        tx.send(StreamingOutputCallRequest {
            response_parameters: params(&[*ask]),
            payload: zeros(payload),
            ..Default::default()
        })
        .await
        .unwrap();
        let reply = replies.message().await.unwrap().unwrap();
        assert_eq!(reply.payload.unwrap().body.len(), *ask as usize);
    }
    drop(tx);
    assert!(replies.message().await.unwrap().is_none(), "empty end");

    // Half duplex: all requests, then all answers.
    let requests = tokio_stream::iter([
        StreamingOutputCallRequest {
            response_parameters: params(&[3, 4]),
            ..Default::default()
        },
        StreamingOutputCallRequest {
            response_parameters: params(&[5]),
            ..Default::default()
        },
    ]);
    let got: Vec<usize> = client
        .half_duplex_call(requests)
        .await
        .unwrap()
        .into_inner()
        .map(|r| r.unwrap().payload.unwrap().body.len())
        .collect()
        .await;
    assert_eq!(got, [3, 4, 5]);
}

#[tokio::test]
async fn status_code_and_message_unary_and_streaming() {
    let server = Server::start(&["--interop"]);
    let mut client = interop(&server).await;
    let message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";
    let echo = EchoStatus {
        code: 2,
        message: message.into(),
    };
    let err = client
        .unary_call(SimpleRequest {
            response_status: Some(echo.clone()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.message()), (Code::Unknown, message));

    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tx.send(StreamingOutputCallRequest {
        response_status: Some(echo),
        ..Default::default()
    })
    .await
    .unwrap();
    let mut replies = client
        .full_duplex_call(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    let err = replies.message().await.unwrap_err();
    assert_eq!((err.code(), err.message()), (Code::Unknown, message));
}

#[tokio::test]
async fn custom_metadata_unary_and_streaming() {
    let server = Server::start(&["--interop"]);
    let mut client = interop(&server).await;
    fn with_metadata<T>(mut r: Request<T>) -> Request<T> {
        r.metadata_mut().insert(
            "x-grpc-test-echo-initial",
            "test_initial_metadata_value".parse().unwrap(),
        );
        r.metadata_mut().insert_bin(
            "x-grpc-test-echo-trailing-bin",
            MetadataValue::from_bytes(&[0xab, 0xab, 0xab]),
        );
        r
    }

    let reply = client
        .unary_call(with_metadata(Request::new(SimpleRequest {
            response_size: 314_159,
            payload: zeros(271_828),
            ..Default::default()
        })))
        .await
        .unwrap();
    assert_eq!(
        reply.metadata().get("x-grpc-test-echo-initial").unwrap(),
        "test_initial_metadata_value"
    );

    // A unary reply's trailers are hidden by tonic; a stream's are not.
    let request = with_metadata(Request::new(tokio_stream::iter([
        StreamingOutputCallRequest {
            response_parameters: params(&[314_159]),
            payload: zeros(271_828),
            ..Default::default()
        },
    ])));
    let reply = client.full_duplex_call(request).await.unwrap();
    assert_eq!(
        reply.metadata().get("x-grpc-test-echo-initial").unwrap(),
        "test_initial_metadata_value"
    );
    let mut stream = reply.into_inner();
    while stream.message().await.unwrap().is_some() {}
    let trailers = stream.trailers().await.unwrap().expect("trailers");
    let value = trailers
        .get_bin("x-grpc-test-echo-trailing-bin")
        .unwrap()
        .to_bytes()
        .unwrap();
    assert_eq!(value.as_ref(), [0xab, 0xab, 0xab]);
}

#[tokio::test]
async fn unimplemented_method_and_service() {
    let server = Server::start(&["--interop"]);
    let mut client = interop(&server).await;
    let err = client.unimplemented_call(Empty {}).await.unwrap_err();
    assert_eq!(err.code(), Code::Unimplemented);
    let mut other = UnimplementedServiceClient::new(server.channel().await);
    let err = other.unimplemented_call(Empty {}).await.unwrap_err();
    assert_eq!(err.code(), Code::Unimplemented);
}

/// The interop service builds replies up to the message limit on request: production
/// turns it on when it wants it (`--interop`, or `--dev`).
#[tokio::test]
async fn the_interop_service_is_opt_in() {
    let server = Server::start(&[]);
    let err = interop(&server)
        .await
        .empty_call(Empty {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unimplemented);
    let server = Server::start(&["--dev"]);
    assert!(interop(&server).await.empty_call(Empty {}).await.is_ok());
}

#[tokio::test]
async fn timeout_on_sleeping_server_is_deadline_exceeded() {
    let server = Server::start(&["--interop"]);
    let mut client = interop(&server).await;

    // A duplex call whose answer would take a second, with a 100 ms deadline. (With the
    // standard case's 1 ms, tonic's client gives up by itself before the server's status
    // arrives; the status before any response head is tested over raw HTTP in http.rs.)
    let mut request = Request::new(tokio_stream::iter([StreamingOutputCallRequest {
        response_parameters: vec![ResponseParameters {
            size: 31_415,
            interval_us: 1_000_000,
            compressed: None,
        }],
        payload: zeros(27_182),
        ..Default::default()
    }]));
    request.set_timeout(Duration::from_millis(100));
    let started = Instant::now();
    let mut replies = client.full_duplex_call(request).await.unwrap().into_inner();
    let err = replies.message().await.unwrap_err();
    assert_eq!(err.code(), Code::DeadlineExceeded, "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(900));
}

#[tokio::test]
async fn server_compressed_replies_and_compressed_requests() {
    let server = Server::start(&["--interop"]);
    let mut client = interop(&server)
        .await
        .accept_compressed(tonic::codec::CompressionEncoding::Gzip)
        .send_compressed(tonic::codec::CompressionEncoding::Gzip);
    let reply = client
        .unary_call(SimpleRequest {
            response_size: 314_159,
            payload: zeros(271_828),
            expect_compressed: Some(proto::grpc::testing::BoolValue { value: true }),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        reply.metadata().get("grpc-encoding").unwrap(),
        "gzip",
        "reply compressed"
    );
    assert_eq!(reply.into_inner().payload.unwrap().body.len(), 314_159);

    // A request claimed to be compressed that is not: INVALID_ARGUMENT.
    let mut plain = interop(&server).await;
    let err = plain
        .unary_call(SimpleRequest {
            expect_compressed: Some(proto::grpc::testing::BoolValue { value: true }),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
}

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

#[tokio::test]
async fn users_list_pages_and_create_validates() {
    let server = Server::start(&[]);
    let mut users = UserServiceClient::new(server.channel().await);
    let page: Vec<i32> = users
        .list_users(ListUsersRequest {
            page_size: 3,
            after_user_id: 2,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .map(|u| u.unwrap().user_id)
        .collect()
        .await;
    assert_eq!(page, [3, 4, 5]);
    let err = users
        .create_user(CreateUserRequest {
            name: "x".into(),
            email: "bad".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(!err.details().is_empty(), "BadRequest details");
}

#[tokio::test]
async fn scores_stream_for_the_chosen_match() {
    let server = Server::start(&[]);
    let mut scores = ScoreServiceClient::new(server.channel().await);
    let updates: Vec<_> = scores
        .watch_scores(WatchScoresRequest {
            match_ids: vec!["m2".into()],
            max_updates: 4,
            interval_ms: 10,
        })
        .await
        .unwrap()
        .into_inner()
        .map(|u| u.unwrap())
        .collect()
        .await;
    assert_eq!(updates.len(), 4);
    assert!(updates.iter().all(|u| u.match_id == "m2"));
    assert_eq!(updates[0].event, "kick-off");
    let err = scores
        .watch_scores(WatchScoresRequest {
            match_ids: vec!["nope".into()],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
}

#[tokio::test]
async fn chat_fans_out_and_forgets_cancelled_subscribers() {
    let server = Server::start(&[]);
    let channel = server.channel().await;
    let mut chat = ChatServiceClient::new(channel.clone());
    let room = "lobby";
    let mut a = chat
        .subscribe(SubscribeRequest { room: room.into() })
        .await
        .unwrap()
        .into_inner();
    let b = ChatServiceClient::new(channel.clone())
        .subscribe(SubscribeRequest { room: room.into() })
        .await
        .unwrap()
        .into_inner();
    let send = |text: &str| SendRequest {
        room: room.into(),
        author: "ann".into(),
        text: text.into(),
    };
    let reply = chat.send(send("hi")).await.unwrap().into_inner();
    assert_eq!(reply.delivered, 2);
    let got = a.message().await.unwrap().unwrap();
    assert_eq!((got.author.as_str(), got.text.as_str()), ("ann", "hi"));

    drop(b); // an HTTP/2 reset of that stream
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let delivered = chat
            .send(send("again"))
            .await
            .unwrap()
            .into_inner()
            .delivered;
        if delivered == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "still {delivered}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn shutdown_ends_open_streams_with_unavailable() {
    let mut server = Server::start(&["--shutdown-grace", "5"]);
    let mut scores = ScoreServiceClient::new(server.channel().await);
    let mut stream = scores
        .watch_scores(WatchScoresRequest {
            interval_ms: 50,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    stream.message().await.unwrap().unwrap();
    let pid = server.child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let end = loop {
        match stream.message().await {
            Ok(Some(_)) => continue,
            other => break other,
        }
    };
    let end = end.unwrap_err();
    assert_eq!(end.code(), Code::Unavailable, "{end:?}");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(4), "did not exit");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn serves_tls_when_given_a_certificate() {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let dir = std::env::temp_dir().join(format!("grpc-web-wasm-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).unwrap();
    let server = Server::start(&[
        "--tls-cert",
        cert_path.to_str().unwrap(),
        "--tls-key",
        key_path.to_str().unwrap(),
    ]);
    let port = server.addr.rsplit(':').next().unwrap();
    let tls = tonic::transport::ClientTlsConfig::new()
        .ca_certificate(tonic::transport::Certificate::from_pem(cert.cert.pem()))
        .domain_name("localhost");
    let channel = Channel::from_shared(format!("https://localhost:{port}"))
        .unwrap()
        .tls_config(tls)
        .unwrap()
        .connect()
        .await
        .expect("TLS handshake");
    let mut users = UserServiceClient::new(channel);
    let user = users
        .get_user(proto::demo::v1::UserRequest { user_id: 1 })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(user.name, "Ada Lovelace");
    // Plain h2c is refused on the TLS port.
    let plain = Channel::from_shared(server.url()).unwrap().connect().await;
    let refused = match plain {
        Err(_) => true,
        Ok(ch) => UserServiceClient::new(ch)
            .get_user(proto::demo::v1::UserRequest { user_id: 1 })
            .await
            .is_err(),
    };
    assert!(refused);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
