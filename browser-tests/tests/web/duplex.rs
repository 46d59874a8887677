//! Client-streaming and bidirectional calls over a WebSocket, against the real server
//! (through the `grpc-websockets` bridge): the gRPC interop cases for these patterns, plus
//! metadata, a status after messages, the origin check, and memory while sending a lot.

use std::time::Duration;

use futures_channel::mpsc;
use futures_util::stream;
use grpc_web_wasm::{CancelHandle, Client, Code, Request, Streaming};
use proto::grpc::testing::{
    EchoStatus, Payload, ResponseParameters, StreamingInputCallRequest, StreamingInputCallResponse,
    StreamingOutputCallRequest, StreamingOutputCallResponse,
};
use wasm_bindgen_test::*;

use crate::server;

const STREAMING_INPUT: &str = "/grpc.testing.TestService/StreamingInputCall";
const FULL_DUPLEX: &str = "/grpc.testing.TestService/FullDuplexCall";

fn input(size: usize) -> StreamingInputCallRequest {
    StreamingInputCallRequest {
        payload: Some(Payload {
            body: vec![0; size].into(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn ping(request_size: usize, response_size: i32) -> StreamingOutputCallRequest {
    StreamingOutputCallRequest {
        response_parameters: vec![ResponseParameters {
            size: response_size,
            ..Default::default()
        }],
        payload: Some(Payload {
            body: vec![0; request_size].into(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn body_len(reply: &StreamingOutputCallResponse) -> usize {
    reply.payload.as_ref().map_or(0, |p| p.body.len())
}

#[wasm_bindgen_test]
async fn client_streaming() {
    let requests = stream::iter([27182, 8, 1828, 45904].map(input));
    let reply = server()
        .client_streaming::<_, _, StreamingInputCallResponse>(STREAMING_INPUT, requests)
        .await
        .expect("StreamingInputCall");
    assert_eq!(reply.get_ref().aggregated_payload_size, 74922);
}

#[wasm_bindgen_test]
async fn ping_pong() {
    let (tx, rx) = mpsc::unbounded();
    let mut replies: Streaming<StreamingOutputCallResponse> = server()
        .streaming(FULL_DUPLEX, rx)
        .await
        .expect("FullDuplexCall");
    for (request, response) in [(27182, 31415), (8, 9), (1828, 2653), (45904, 58979)] {
        tx.unbounded_send(ping(request, response as i32)).unwrap();
        let reply = replies
            .message()
            .await
            .expect("a reply")
            .expect("not the end");
        assert_eq!(body_len(&reply), response);
    }
    drop(tx); // half-close
    assert!(replies.message().await.expect("ends OK").is_none());
}

#[wasm_bindgen_test]
async fn empty_stream() {
    let mut replies = server()
        .streaming::<_, _, StreamingOutputCallResponse>(
            FULL_DUPLEX,
            stream::empty::<StreamingOutputCallRequest>(),
        )
        .await
        .expect("FullDuplexCall");
    assert!(replies.message().await.expect("ends OK").is_none());
}

#[wasm_bindgen_test]
async fn cancel_after_begin() {
    let cancel = CancelHandle::new();
    let mut request = Request::new(stream::pending::<StreamingInputCallRequest>());
    request.set_signal(cancel.signal());
    let client = server();
    let call =
        client.client_streaming::<_, _, StreamingInputCallResponse>(STREAMING_INPUT, request);
    let canceller = async {
        crate::sleep(200).await;
        cancel.cancel();
    };
    let (result, ()) = futures_util::future::join(call, canceller).await;
    assert_eq!(result.unwrap_err().code(), Code::Cancelled);
}

#[wasm_bindgen_test]
async fn cancel_after_first_response() {
    let cancel = CancelHandle::new();
    let (tx, rx) = mpsc::unbounded();
    let mut request = Request::new(rx);
    request.set_signal(cancel.signal());
    let mut replies = server()
        .streaming::<_, _, StreamingOutputCallResponse>(FULL_DUPLEX, request)
        .await
        .expect("FullDuplexCall");
    tx.unbounded_send(ping(27182, 31415)).unwrap();
    let first = replies.message().await.unwrap().unwrap();
    assert_eq!(body_len(&first), 31415);
    cancel.cancel();
    assert_eq!(replies.message().await.unwrap_err().code(), Code::Cancelled);
}

#[wasm_bindgen_test]
async fn timeout_on_sleeping_server() {
    let (tx, rx) = mpsc::unbounded();
    let mut request = Request::new(rx);
    request.set_timeout(Duration::from_millis(1));
    tx.unbounded_send(ping(27182, 31415)).unwrap();
    let outcome = async {
        let mut replies = server()
            .streaming::<_, _, StreamingOutputCallResponse>(FULL_DUPLEX, request)
            .await?;
        while replies.message().await?.is_some() {}
        Ok::<_, grpc_web_wasm::Status>(())
    }
    .await;
    assert_eq!(outcome.unwrap_err().code(), Code::DeadlineExceeded);
    drop(tx);
}

#[wasm_bindgen_test]
async fn metadata_goes_both_ways() {
    let mut request = Request::new(stream::iter([ping(1, 1)]));
    request
        .metadata_mut()
        .insert("x-grpc-test-echo-initial", "test_initial_metadata_value")
        .unwrap();
    request
        .metadata_mut()
        .insert_bin("x-grpc-test-echo-trailing-bin", &[0xab, 0xab, 0xab])
        .unwrap();
    let mut replies = server()
        .streaming::<_, _, StreamingOutputCallResponse>(FULL_DUPLEX, request)
        .await
        .expect("FullDuplexCall");
    assert_eq!(
        replies.headers().get("x-grpc-test-echo-initial"),
        Some("test_initial_metadata_value")
    );
    while replies.message().await.expect("OK").is_some() {}
    let trailers = replies.trailers().expect("trailers");
    assert_eq!(
        trailers
            .get_bin("x-grpc-test-echo-trailing-bin")
            .unwrap()
            .unwrap(),
        [0xab, 0xab, 0xab]
    );
}

#[wasm_bindgen_test]
async fn a_status_after_messages() {
    let mut last = ping(1, 3);
    last.response_status = Some(EchoStatus {
        code: 2,
        message: "test status message".into(),
    });
    let requests = stream::iter([ping(1, 5), last]);
    let mut replies = server()
        .streaming::<_, _, StreamingOutputCallResponse>(FULL_DUPLEX, requests)
        .await
        .expect("FullDuplexCall");
    let first = replies.message().await.unwrap().expect("the first reply");
    assert_eq!(body_len(&first), 5);
    let status = crate::final_status(&mut replies).await;
    assert_eq!(
        (status.code(), status.message()),
        (Code::Unknown, "test status message")
    );
}

#[wasm_bindgen_test]
async fn a_foreign_origin_is_refused() {
    // The strict server admits only https://app.example.com; this page is not it.
    let strict = Client::new(crate::test_env!("GRPC_WEB_TEST_STRICT_SERVER"));
    let status = strict
        .client_streaming::<_, _, StreamingInputCallResponse>(
            STREAMING_INPUT,
            stream::iter([input(1)]),
        )
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status}");
    assert!(
        status.message().contains("could not open a WebSocket"),
        "{status}"
    );
}

#[wasm_bindgen_test]
async fn a_message_over_the_send_limit_ends_the_call() {
    let client = server().max_encoding_message_size(100);
    let status = client
        .client_streaming::<_, _, StreamingInputCallResponse>(
            STREAMING_INPUT,
            stream::iter([input(10), input(1000)]),
        )
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "{status}");
}

#[wasm_bindgen_test]
async fn sending_much_keeps_memory_flat() {
    // 1 GiB in 64 KiB messages from a producer that never waits on its own: the sender
    // takes a message only when the browser's socket buffer has room, so the messages in
    // flight (produced, not yet answered) stay bounded and memory does not grow.
    const MESSAGES: usize = 16 * 1024;
    const SIZE: usize = 64 * 1024;
    let (wasm_before, js_before) = (wasm_memory(), js_heap());
    let started = js_sys::Date::now();
    let produced = std::rc::Rc::new(std::cell::Cell::new(0usize));
    let counter = produced.clone();
    let requests = stream::iter((0..MESSAGES).map(move |_| {
        counter.set(counter.get() + 1);
        ping(SIZE, 1)
    }));
    let mut replies = server()
        .max_encoding_message_size(SIZE + 64)
        .streaming::<_, _, StreamingOutputCallResponse>(FULL_DUPLEX, requests)
        .await
        .expect("FullDuplexCall");
    let (mut answered, mut most_in_flight, mut js_most) = (0, 0, js_before);
    while replies.message().await.expect("OK").is_some() {
        answered += 1;
        most_in_flight = most_in_flight.max(produced.get() - answered);
        if answered % 1024 == 0 {
            js_most = js_most.max(js_heap());
        }
    }
    assert_eq!(answered, MESSAGES);
    let wasm_grown = wasm_memory() - wasm_before;
    wasm_bindgen_test::console_log!(
        "sent 1 GiB in {:.1} s: wasm memory {:.1} -> {:.1} MiB, JS heap {:.1} -> at most {:.1} MiB, \
         at most {most_in_flight} messages in flight",
        (js_sys::Date::now() - started) / 1000.0,
        wasm_before as f64 / 1048576.0,
        (wasm_before + wasm_grown) as f64 / 1048576.0,
        js_before / 1048576.0,
        js_most / 1048576.0,
    );
    // Without flow control all 16384 are produced at once; with it, about the browser's
    // buffer (1 MiB) plus what the network and the server hold, and the replies received
    // but not yet read. Loopback's TCP buffers grow with load (autotuning): a CI run saw 565
    // (35 MiB), so the bound is a sixteenth of the stream, far below what no flow control
    // gives.
    assert!(
        most_in_flight < 1024,
        "{most_in_flight} messages of 64 KiB were in flight"
    );
    assert!(
        wasm_grown < 8 << 20,
        "wasm memory grew {wasm_grown} bytes while sending 1 GiB"
    );
    // The JS heap holds no sent messages either (a copy of each went to the socket).
    assert!(
        js_most - js_before < 64.0 * 1048576.0,
        "the JS heap grew from {js_before} to {js_most} bytes while sending 1 GiB"
    );
}

/// Chromium's `performance.memory.usedJSHeapSize`, in bytes.
fn js_heap() -> f64 {
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).unwrap();
    let memory = js_sys::Reflect::get(&performance, &"memory".into()).unwrap();
    js_sys::Reflect::get(&memory, &"usedJSHeapSize".into())
        .unwrap()
        .as_f64()
        .unwrap_or(0.0)
}

fn wasm_memory() -> usize {
    use wasm_bindgen::JsCast;
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let buffer: js_sys::ArrayBuffer = memory.buffer().unchecked_into();
    buffer.byte_length() as usize
}
