//! The standard gRPC interop cases: unary, client, server and bidirectional streams,
//! status and metadata echo, unimplemented methods, deadlines and compression.

use std::time::{Duration, Instant};

use proto::grpc::testing::unimplemented_service_client::UnimplementedServiceClient;
use proto::grpc::testing::{
    EchoStatus, Empty, ResponseParameters, SimpleRequest, StreamingInputCallRequest,
    StreamingOutputCallRequest,
};
use tokio_stream::StreamExt;
use tonic::metadata::MetadataValue;
use tonic::{Code, Request};

use crate::common::Server;
use crate::{interop, params, zeros};

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
    // arrives; the status before any response head is tested over raw HTTP in
    // http/deadlines.rs.)
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
