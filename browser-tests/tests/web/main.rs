//! Browser tests: real Chromium, real `fetch`, against real server processes that
//! `cargo xtask test` starts on free 127.0.0.1 ports and names in `GRPC_WEB_TEST_*`
//! variables at build time. The test page is served from another port, so every call also
//! crosses CORS.

#![cfg(target_arch = "wasm32")]

use grpc_web_wasm::{Client, Request, Status};
use proto::demo::v1::{UserRequest, UserResponse};

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod cancel;
mod deadline;
mod duplex;
mod errors;
mod features;
mod replies;
mod retries;
mod streaming;
mod unary;

pub const GET_USER: &str = "/demo.v1.UserService/GetUser";

pub use common::{final_status, server};

/// A client for a route of the misbehaving peer.
pub fn fault(route: &str) -> Client {
    Client::new(format!(
        "{}/{route}",
        test_env!("GRPC_WEB_TEST_FAULT_SERVER")
    ))
}

pub async fn get_user(
    client: &Client,
    request: Request<UserRequest>,
) -> Result<UserResponse, Status> {
    client
        .unary::<_, UserResponse>(GET_USER, request)
        .await
        .map(|r| r.into_inner())
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: i32);
}

/// Waits `ms` milliseconds on the event loop.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| set_timeout(&resolve, ms));
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
