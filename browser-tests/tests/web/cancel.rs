//! Cancellation: dropping a stream, a `CancelHandle` or an `AbortSignal` stops the call,
//! and the server sees it go.

use grpc_web_wasm::{CancelHandle, Code, Request};
use proto::demo::v1::{ChatMessage, SendReply, SendRequest, SubscribeRequest};
use proto::grpc::testing::StreamingOutputCallResponse;
use wasm_bindgen_test::*;

use crate::streaming::stream_of;
use crate::{server, sleep};

const SUBSCRIBE: &str = "/demo.v1.ChatService/Subscribe";
const SEND: &str = "/demo.v1.ChatService/Send";

/// Sends to `room`; the reply says how many live subscribers got it.
async fn send(room: &str, text: &str) -> u32 {
    server()
        .unary::<_, SendReply>(
            SEND,
            SendRequest {
                room: room.into(),
                author: "test".into(),
                text: text.into(),
            },
        )
        .await
        .expect("Send")
        .into_inner()
        .delivered
}

/// Polls until `room` has `want` subscribers, for at most 5 s; returns the last count.
async fn wait_for_subscribers(room: &str, want: u32) -> u32 {
    let mut delivered = u32::MAX;
    for _ in 0..50 {
        delivered = send(room, "ping").await;
        if delivered == want {
            break;
        }
        sleep(100).await;
    }
    delivered
}

fn unique_room(name: &str) -> String {
    format!("{name}-{}", js_sys::Math::random())
}

#[wasm_bindgen_test]
async fn dropping_a_stream_unsubscribes_on_the_server() {
    let room = unique_room("drop");
    let mut stream = server()
        .server_streaming::<_, ChatMessage>(SUBSCRIBE, SubscribeRequest { room: room.clone() })
        .await
        .expect("Subscribe");
    assert_eq!(wait_for_subscribers(&room, 1).await, 1, "subscribed");
    let first = stream.message().await.expect("message").expect("a ping");
    assert_eq!(first.room, room);

    drop(stream);
    assert_eq!(
        wait_for_subscribers(&room, 0).await,
        0,
        "the server still delivers to the dropped stream"
    );
}

#[wasm_bindgen_test]
async fn a_cancel_handle_ends_the_stream_with_cancelled_and_the_server_sees_it() {
    let room = unique_room("cancel");
    let cancel = CancelHandle::new();
    let mut request = Request::new(SubscribeRequest { room: room.clone() });
    request.set_signal(cancel.signal());
    let mut stream = server()
        .server_streaming::<_, ChatMessage>(SUBSCRIBE, request)
        .await
        .expect("Subscribe");
    assert_eq!(wait_for_subscribers(&room, 1).await, 1);

    cancel.cancel();
    let status = crate::final_status(&mut stream).await;
    assert_eq!(status.code(), Code::Cancelled, "{status}");
    // The stream still exists, but the request is aborted: the server lets go.
    assert_eq!(wait_for_subscribers(&room, 0).await, 0);
}

#[wasm_bindgen_test]
async fn an_already_aborted_signal_sends_nothing() {
    let cancel = CancelHandle::new();
    cancel.cancel();
    let mut request = Request::new(stream_of(&[1], 0));
    request.set_signal(cancel.signal());
    let status = server()
        .server_streaming::<_, StreamingOutputCallResponse>(
            "/grpc.testing.TestService/StreamingOutputCall",
            request,
        )
        .await
        .expect_err("cancelled before sending");
    assert_eq!(status.code(), Code::Cancelled, "{status}");
}

/// How many stalled replies the fault peer saw the client abandon.
async fn hangups() -> i32 {
    crate::get_user(
        &crate::fault("hangups"),
        Request::new(proto::demo::v1::UserRequest { user_id: 0 }),
    )
    .await
    .expect("hangup count")
    .user_id
}

#[wasm_bindgen_test]
async fn dropping_a_unary_call_aborts_its_request() {
    use futures_util::future::{select, Either};

    let before = hangups().await;
    let client = crate::fault("stall");
    let call = Box::pin(crate::get_user(
        &client,
        Request::new(proto::demo::v1::UserRequest { user_id: 1 }),
    ));
    // The peer never finishes; give up on the call after 300 ms by dropping it.
    match select(call, Box::pin(sleep(300))).await {
        Either::Left((result, _)) => panic!("the stalled call ended: {result:?}"),
        Either::Right(((), call)) => drop(call),
    }
    let mut after = before;
    for _ in 0..50 {
        after = hangups().await;
        if after > before {
            break;
        }
        sleep(100).await;
    }
    assert!(after > before, "the peer never saw the connection close");
}
