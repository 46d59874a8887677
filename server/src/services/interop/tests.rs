//! Unit tests of the interop service, called directly without a server.

use super::*;

#[tokio::test]
async fn unary_sizes_and_statuses() {
    let svc = Interop::new(1024);
    let ok = svc
        .unary_call(Request::new(SimpleRequest {
            response_size: 100,
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ok.payload.unwrap().body, vec![0; 100]);
    for (size, code) in [(-1, Code::InvalidArgument), (1025, Code::ResourceExhausted)] {
        let err = svc
            .unary_call(Request::new(SimpleRequest {
                response_size: size,
                ..Default::default()
            }))
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{size}");
    }
    let err = svc
        .unary_call(Request::new(SimpleRequest {
            response_status: Some(EchoStatus {
                code: 2,
                message: "test status message".into(),
            }),
            ..Default::default()
        }))
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (Code::Unknown, "test status message")
    );
}

#[tokio::test]
async fn streaming_output_honours_each_size_then_the_status() {
    let svc = Interop::new(1 << 20);
    let request = StreamingOutputCallRequest {
        response_parameters: [31415, 9, 2653, 58979]
            .into_iter()
            .map(|size| ResponseParameters {
                size,
                interval_us: 100,
                compressed: None,
            })
            .collect(),
        response_status: Some(EchoStatus {
            code: 9,
            message: "after".into(),
        }),
        ..Default::default()
    };
    let stream = svc
        .streaming_output_call(Request::new(request))
        .await
        .unwrap()
        .into_inner();
    let items: Vec<_> = stream.collect().await;
    let sizes: Vec<usize> = items[..4]
        .iter()
        .map(|r| r.as_ref().unwrap().payload.as_ref().unwrap().body.len())
        .collect();
    assert_eq!(sizes, [31415, 9, 2653, 58979]);
    assert_eq!(
        items[4].as_ref().unwrap_err().code(),
        Code::FailedPrecondition
    );
    assert_eq!(items.len(), 5);
}
