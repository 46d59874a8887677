//! Contender "ours": grpc-web-wasm's generated `TestServiceClient`, called from Rust as an
//! application would. The harness (bench/harness) calls these exports; the loops and their
//! checks are `bench-driver`'s, shared with the other Rust contender.
#![cfg(target_arch = "wasm32")]

use bench_driver::{fail, Tally};
use grpc_web_wasm::{Client, Mode};
use proto::grpc::testing::{
    ResponseParameters, SimpleRequest, StreamingOutputCallRequest, TestServiceClient,
};
use wasm_bindgen::prelude::*;

fn client(base: &str, text: bool) -> TestServiceClient {
    let mode = if text { Mode::Text } else { Mode::Binary };
    TestServiceClient::new(Client::new(base).mode(mode))
}

fn simple(size: u32) -> SimpleRequest {
    SimpleRequest {
        response_size: size as i32,
        ..Default::default()
    }
}

async fn unary(client: &TestServiceClient, size: u32) -> Result<usize, String> {
    let reply = client
        .unary_call(simple(size))
        .await
        .map_err(|s| s.to_string())?;
    Ok(reply.get_ref().payload.as_ref().map_or(0, |p| p.body.len()))
}

/// `n` sequential unary calls for `size`-byte payloads: each call's latency in ms.
#[wasm_bindgen]
pub async fn unary_seq(base: String, n: u32, size: u32) -> Result<Vec<f64>, JsValue> {
    let c = client(&base, false);
    bench_driver::unary_seq(n, size as usize, || unary(&c, size)).await
}

/// `total` unary calls, `inflight` at a time: elapsed ms.
#[wasm_bindgen]
pub async fn unary_concurrent(
    base: String,
    total: u32,
    inflight: u32,
    size: u32,
) -> Result<f64, JsValue> {
    let c = client(&base, false);
    bench_driver::unary_concurrent(total, inflight, size as usize, || unary(&c, size)).await
}

/// A server stream of `count` messages of `size` bytes, binary or text mode:
/// `[first message ms, total ms, messages, bytes]`.
#[wasm_bindgen]
pub async fn stream(base: String, count: u32, size: u32, text: bool) -> Result<Vec<f64>, JsValue> {
    let c = client(&base, text);
    let request = StreamingOutputCallRequest {
        response_parameters: vec![
            ResponseParameters {
                size: size as i32,
                ..Default::default()
            };
            count as usize
        ],
        ..Default::default()
    };
    let mut tally = Tally::start();
    let mut stream = c.streaming_output_call(request).await.map_err(fail)?;
    while let Some(m) = stream.message().await.map_err(fail)? {
        tally.message(m.payload.map_or(0, |p| p.body.len()));
    }
    tally.finish(count, size as usize)
}
