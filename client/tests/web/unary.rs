//! Unary calls that succeed: the message, the trailers, and metadata sent along.

use grpc_web_wasm::Request;
use proto::demo::v1::{UserRequest, UserResponse};
use wasm_bindgen_test::*;

use crate::{get_user, server, GET_USER};

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
    // The server accepts any well-formed metadata; this proves the headers pass CORS and
    // the call still succeeds with them.
    let mut request = Request::new(UserRequest { user_id: 2 });
    request
        .metadata_mut()
        .insert("x-request-id", "abc-123")
        .unwrap();
    let user = get_user(&server(), request).await.expect("GetUser(2)");
    assert_eq!(user.name, "Alan Turing");
}
