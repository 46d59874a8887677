//! Unary calls that succeed: the message, the trailers, and metadata sent along.

use grpc_web_wasm::Request;
use proto::demo::v1::{UserRequest, UserResponse};
use wasm_bindgen_test::*;

use crate::{server, GET_USER};

#[wasm_bindgen_test]
async fn get_user_returns_the_seeded_user() {
    let reply = server()
        .unary::<_, UserResponse>(GET_USER, UserRequest { user_id: 1 })
        .await
        .expect("GetUser(1)");
    assert_eq!(reply.trailers().get("grpc-status"), Some("0"));
    assert_eq!(
        reply.into_inner(),
        UserResponse {
            user_id: 1,
            name: "Ada Lovelace".into(),
            email: "ada@example.com".into(),
        }
    );
}

#[wasm_bindgen_test]
async fn request_metadata_is_sent() {
    // The misbehaving peer echoes every request header into its trailers: the metadata is
    // on the wire, as given, past the browser's CORS checks.
    let mut request = Request::new(UserRequest { user_id: 2 });
    request
        .metadata_mut()
        .insert("x-request-id", "abc-123")
        .unwrap();
    request.metadata_mut().append("x-multi", "one").unwrap();
    request.metadata_mut().append("x-multi", "two").unwrap();
    let reply = crate::fault("echo-headers")
        .unary::<_, proto::demo::v1::UserResponse>(crate::GET_USER, request)
        .await
        .expect("echo");
    let t = reply.trailers();
    assert_eq!(t.get("x-echo-x-request-id"), Some("abc-123"));
    // fetch joins a repeated header into one line.
    assert_eq!(t.get("x-echo-x-multi"), Some("one, two"));
}
