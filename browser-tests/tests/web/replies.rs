//! How a reply ends, decided in one place: trailers-only against a body, repeated
//! metadata, headers kept on failures, 2xx other than 200, a server with real-world quirks,
//! interceptors seeing the end the caller gets, and a page that replaces `fetch`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use grpc_web_wasm::{CallEnd, Code, Interceptor, Mode, Request};
use proto::demo::v1::{UserRequest, UserResponse};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

use crate::{fault, get_user, server, GET_USER};

fn one() -> Request<UserRequest> {
    Request::new(UserRequest { user_id: 1 })
}

#[wasm_bindgen_test]
async fn a_body_overrides_a_grpc_status_header() {
    // Conformance, "ignore header if body present": the header says ABORTED (8), the body
    // has a message and an OK trailer; the message must not be dropped.
    let user = get_user(&fault("header-status-with-body"), one())
        .await
        .expect("the body's OK decides");
    assert_eq!(user.user_id, 5);
    // The header says OK, the body's trailers FAILED_PRECONDITION.
    let status = get_user(&fault("header-ok-body-error"), one())
        .await
        .unwrap_err();
    assert_eq!(
        (status.code(), status.message()),
        (Code::FailedPrecondition, "the body decides")
    );
}

#[wasm_bindgen_test]
async fn repeated_metadata_keeps_every_value() {
    let reply = fault("repeated-metadata")
        .unary::<_, UserResponse>(GET_USER, one())
        .await
        .expect("OK");
    // Headers: the browser joins repeated values into one.
    let h = reply.headers();
    let bins: Vec<Vec<u8>> = h.get_bin_all("x-bin").map(Result::unwrap).collect();
    assert_eq!(bins, [vec![1], vec![2]]);
    assert_eq!(h.get_all("x-text").collect::<Vec<_>>(), ["a, b"]);
    // Trailers: separate lines stay separate.
    let t = reply.trailers();
    let bins: Vec<Vec<u8>> = t.get_bin_all("t-bin").map(Result::unwrap).collect();
    assert_eq!(bins, [vec![1], vec![2]]);
    assert_eq!(t.get_all("t-text").collect::<Vec<_>>(), ["a", "b"]);
}

#[wasm_bindgen_test]
async fn a_failed_call_keeps_its_response_headers() {
    let status = get_user(&fault("error-with-headers"), one())
        .await
        .unwrap_err();
    assert_eq!((status.code(), status.message()), (Code::NotFound, "gone"));
    assert_eq!(status.headers().get("x-served-by"), Some("fixture"));
    assert_eq!(status.metadata().get("grpc-status"), Some("5"));
    // A stream's failure keeps them too.
    let stream = fault("error-with-headers")
        .server_streaming::<_, UserResponse>(GET_USER, UserRequest { user_id: 1 })
        .await;
    let status = crate::common::stream_status(stream).await;
    assert_eq!(status.headers().get("x-served-by"), Some("fixture"));
}

#[wasm_bindgen_test]
async fn a_2xx_other_than_200_is_unknown() {
    // gRPC's HTTP mapping: only a 200 carries a gRPC reply; frames on a 206 are not read.
    for route in ["http-204", "http-206"] {
        let status = get_user(&fault(route), one()).await.unwrap_err();
        assert_eq!(status.code(), Code::Unknown, "{route}: {status}");
        assert!(
            status.message().contains("no grpc-status"),
            "{route}: {status}"
        );
        assert!(status.http_status().is_some_and(|s| s != 200), "{route}");
    }
}

#[wasm_bindgen_test]
async fn a_quirky_server_is_answered_in_both_modes() {
    // It echoes Accept as its content type and refuses unpadded -bin values with a 500.
    for mode in [Mode::Binary, Mode::Text] {
        let mut request = one();
        request
            .metadata_mut()
            .insert_bin("x-trace-bin", &[1, 2, 3, 4])
            .unwrap();
        let user = get_user(&fault("quirky").mode(mode), request)
            .await
            .unwrap_or_else(|s| panic!("{mode:?}: {s}"));
        assert_eq!(user.user_id, 3, "{mode:?}");
    }
}

/// Records the codes of the ends interceptors see.
struct Ends(Arc<Mutex<Vec<Code>>>);

impl Interceptor for Ends {
    fn on_end(&self, end: &CallEnd<'_>) {
        self.0.lock().unwrap().push(end.status().code());
    }
}

#[wasm_bindgen_test]
async fn interceptors_see_the_end_the_caller_gets() {
    let ends = Arc::new(Mutex::new(Vec::new()));
    let client = fault("bad-message").interceptor(Ends(ends.clone()));
    // The reply is OK on the wire, but its message does not decode.
    let status = get_user(&client, one()).await.unwrap_err();
    assert_eq!(status.code(), Code::Internal, "{status}");
    // The send limit, checked before encoding, ends the call too.
    let client = server()
        .max_encoding_message_size(4)
        .interceptor(Ends(ends.clone()));
    let big = Request::new(UserRequest { user_id: i32::MAX });
    let status = get_user(&client, big).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "{status}");
    assert_eq!(
        *ends.lock().unwrap(),
        [Code::Internal, Code::ResourceExhausted]
    );
}

#[wasm_bindgen(inline_js = "
let saved = null;
export function replace_fetch(kind) {
    saved = saved || globalThis.fetch;
    const real = saved;
    globalThis.fetch = (url, init) => {
        switch (kind) {
            case 'throws': throw new TypeError('fetch blew up');
            case 'twice': return { then(ok, err) { real(url, init).then((r) => { ok(r); err(new Error('second')); ok(r); }, err); } };
            case 'never': return { then() {} };
            case 'not-a-response': return Promise.resolve(42);
            default: return real(url, init);
        }
    };
}
export function restore_fetch() {
    if (saved) globalThis.fetch = saved;
    saved = null;
}")]
extern "C" {
    fn replace_fetch(kind: &str);
    fn restore_fetch();
}

#[wasm_bindgen_test]
async fn a_replaced_fetch_never_breaks_or_hangs_a_call() {
    let client = server().timeout(Duration::from_millis(500));
    let mut outcomes = Vec::new();
    for kind in ["throws", "twice", "never", "not-a-response"] {
        replace_fetch(kind);
        let outcome = get_user(&client, one()).await;
        restore_fetch();
        outcomes.push((kind, outcome.map(|u| u.user_id).map_err(|s| s.code())));
    }
    assert_eq!(
        outcomes,
        [
            ("throws", Err(Code::Unavailable)),
            // The first settlement wins; the second is ignored.
            ("twice", Ok(1)),
            // Only the call's own deadline can end this one.
            ("never", Err(Code::DeadlineExceeded)),
            ("not-a-response", Err(Code::Unavailable)),
        ]
    );
    // And the client still works.
    assert_eq!(get_user(&client, one()).await.map(|u| u.user_id), Ok(1));
}
