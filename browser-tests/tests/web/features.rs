//! Features end to end: metadata both ways, text mode, compression, what goes on the wire,
//! interceptors, and a base URL with a path prefix.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use grpc_web_wasm::{
    CallEnd, Client, Code, Compression, Credentials, Interceptor, Mode, Request, RequestHead,
    Status,
};
use proto::demo::v1::{UserRequest, UserResponse};
use proto::grpc::testing::{Payload, SimpleRequest, SimpleResponse};
use wasm_bindgen_test::*;

use crate::{fault, get_user, server, GET_USER};

const UNARY_CALL: &str = "/grpc.testing.TestService/UnaryCall";

fn sized(response_size: i32) -> SimpleRequest {
    SimpleRequest {
        response_size,
        payload: Some(Payload {
            body: vec![7; 100].into(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[wasm_bindgen_test]
async fn ascii_and_binary_metadata_round_trip_through_the_server() {
    // The interop server echoes one ASCII header as a response header and one binary
    // header as a trailer.
    let binary = [0u8, 0xff, 0x10, b',', b'='];
    let mut request = Request::new(sized(10));
    request
        .metadata_mut()
        .insert("x-grpc-test-echo-initial", "hello, metadata")
        .unwrap();
    request
        .metadata_mut()
        .insert_bin("x-grpc-test-echo-trailing-bin", &binary)
        .unwrap();
    let reply = server()
        .unary::<_, SimpleResponse>(UNARY_CALL, request)
        .await
        .expect("UnaryCall");
    assert_eq!(
        reply.headers().get("x-grpc-test-echo-initial"),
        Some("hello, metadata")
    );
    let echoed = reply
        .trailers()
        .get_bin("x-grpc-test-echo-trailing-bin")
        .expect("trailer present")
        .expect("valid base64");
    assert_eq!(echoed, binary);
    assert_eq!(reply.get_ref().payload.as_ref().unwrap().body.len(), 10);
}

#[wasm_bindgen_test]
async fn the_wire_carries_timeout_accept_and_padded_binary_metadata() {
    // The fault peer echoes every request header into the trailers.
    let mut request = Request::new(UserRequest { user_id: 1 });
    request.set_timeout(Duration::from_millis(1500));
    request
        .metadata_mut()
        .insert_bin("x-k-bin", &[0xff])
        .unwrap();
    let reply = fault("echo-headers")
        .accept_compressed(Compression::Gzip)
        .unary::<_, UserResponse>(GET_USER, request)
        .await
        .expect("echo");
    let t = reply.trailers();
    assert_eq!(t.get("x-echo-grpc-timeout"), Some("1500000u"));
    // Padded: some servers refuse unpadded -bin values (see `a_quirky_server_...`).
    assert_eq!(t.get("x-echo-x-k-bin"), Some("/w=="));
    // Accept names what the client reads, not fetch's `*/*`.
    assert_eq!(t.get("x-echo-accept"), Some("application/grpc-web+proto"));
    assert_eq!(t.get("x-echo-grpc-accept-encoding"), Some("gzip"));
    assert_eq!(
        t.get("x-echo-content-type"),
        Some("application/grpc-web+proto")
    );
    assert_eq!(t.get("x-echo-x-grpc-web"), Some("1"));
    assert!(t
        .get("x-echo-x-user-agent")
        .is_some_and(|ua| ua.starts_with("grpc-web-wasm/")));
}

#[wasm_bindgen_test]
async fn base_url_path_prefix_is_kept() {
    // The fixture routes by the prefix: /echo-headers/demo.v1.UserService/GetUser.
    let client = fault("echo-headers");
    assert!(client.base_url().ends_with("/echo-headers"));
    client
        .unary::<_, UserResponse>(GET_USER, UserRequest { user_id: 1 })
        .await
        .expect("the prefixed route answered");
}

#[wasm_bindgen_test]
async fn text_mode_against_the_server() {
    let client = server().mode(Mode::Text);
    let user = get_user(&client, Request::new(UserRequest { user_id: 3 }))
        .await
        .expect("GetUser in text mode");
    assert_eq!(user.name, "Grace Hopper");
    let status = get_user(&client, Request::new(UserRequest { user_id: 99 }))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound, "{status}");

    let big = client
        .unary::<_, SimpleResponse>(UNARY_CALL, sized(300_000))
        .await
        .expect("large reply in text mode");
    assert_eq!(big.get_ref().payload.as_ref().unwrap().body.len(), 300_000);
}

#[wasm_bindgen_test]
async fn text_mode_with_padding_mid_body() {
    let user = get_user(
        &fault("text-padded"),
        Request::new(UserRequest { user_id: 7 }),
    )
    .await
    .expect("each frame padded on its own");
    assert_eq!((user.user_id, user.name.as_str()), (7, "z"));
}

#[wasm_bindgen_test]
async fn gzip_replies_from_the_server() {
    let mut request = sized(200_000);
    request.response_compressed = Some(proto::grpc::testing::BoolValue { value: true });
    let reply = server()
        .accept_compressed(Compression::Gzip)
        .unary::<_, SimpleResponse>(UNARY_CALL, request)
        .await
        .expect("compressed UnaryCall");
    assert_eq!(reply.headers().get("grpc-encoding"), Some("gzip"));
    let body = &reply.get_ref().payload.as_ref().unwrap().body;
    assert_eq!(body.len(), 200_000);
}

#[wasm_bindgen_test]
async fn gzip_message_and_compressed_trailer_frame() {
    let reply = fault("gzip")
        .unary::<_, UserResponse>(GET_USER, UserRequest { user_id: 9 })
        .await
        .expect("gzip frames");
    assert_eq!(reply.get_ref().name, "gz");
    assert_eq!(reply.trailers().get("x-packed"), Some("yes"));
}

#[wasm_bindgen_test]
async fn compressed_requests_reach_the_server() {
    let mut request = sized(10);
    request.expect_compressed = Some(proto::grpc::testing::BoolValue { value: true });
    request.payload = Some(Payload {
        body: vec![1; 50_000].into(),
        ..Default::default()
    });
    server()
        .send_compressed(Compression::Gzip)
        .unary::<_, SimpleResponse>(UNARY_CALL, request)
        .await
        .expect("the server accepted a gzip request");
}

/// Records what it sees, and adds a token.
#[derive(Default)]
struct Recorder {
    ends: Mutex<Vec<(String, Code)>>,
    requests: AtomicUsize,
}

struct Recording(Arc<Recorder>);

impl Interceptor for Recording {
    fn on_request(&self, head: &mut RequestHead) -> Result<(), Status> {
        self.0.requests.fetch_add(1, Ordering::SeqCst);
        head.metadata_mut()
            .insert("x-grpc-test-echo-initial", "from-interceptor")
            .map_err(|e| Status::new(Code::Internal, e.to_string()))
    }

    fn on_end(&self, end: &CallEnd<'_>) {
        self.0
            .ends
            .lock()
            .unwrap()
            .push((end.path().to_owned(), end.status().code()));
    }
}

#[wasm_bindgen_test]
async fn interceptors_add_metadata_and_see_every_end() {
    let recorder = Arc::new(Recorder::default());
    let client = server().interceptor(Recording(recorder.clone()));
    let reply = client
        .unary::<_, SimpleResponse>(UNARY_CALL, sized(1))
        .await
        .expect("UnaryCall");
    assert_eq!(
        reply.headers().get("x-grpc-test-echo-initial"),
        Some("from-interceptor")
    );
    let _ = get_user(&client, Request::new(UserRequest { user_id: 404 })).await;
    assert_eq!(recorder.requests.load(Ordering::SeqCst), 2);
    assert_eq!(
        *recorder.ends.lock().unwrap(),
        [
            (UNARY_CALL.to_owned(), Code::Ok),
            (GET_USER.to_owned(), Code::NotFound)
        ]
    );
}

#[wasm_bindgen_test]
async fn a_refusing_interceptor_stops_the_call_before_it_is_sent() {
    let refuse = |_: &mut RequestHead| -> Result<(), Status> {
        Err(Status::new(Code::Unauthenticated, "no token yet"))
    };
    // A dead server: had the request gone out, the error would be UNAVAILABLE.
    let client = Client::new(crate::test_env!("GRPC_WEB_TEST_DEAD_SERVER")).interceptor(refuse);
    let status = get_user(&client, Request::new(UserRequest { user_id: 1 }))
        .await
        .unwrap_err();
    assert_eq!(
        (status.code(), status.message()),
        (Code::Unauthenticated, "no token yet")
    );
}

#[wasm_bindgen_test]
async fn the_credentials_mode_reaches_fetch() {
    // The test server's CORS policy does not allow credentials, and this page is another
    // origin: the browser refuses a call that includes them and lets one that omits them.
    let one = || Request::new(UserRequest { user_id: 1 });
    for (credentials, admitted) in [
        (Credentials::Omit, true),
        (Credentials::SameOrigin, true),
        (Credentials::Include, false),
    ] {
        let client = server().credentials(credentials);
        match get_user(&client, one()).await {
            Ok(user) => assert!(admitted, "{credentials:?} answered {user:?}"),
            Err(status) => {
                assert!(!admitted, "{credentials:?}: {status}");
                assert_eq!(status.code(), Code::Unavailable, "{status}");
            }
        }
    }
}
