//! Contender "tonic-web-wasm-client": tonic's generated `TestServiceClient` (tonic-prost-build,
//! from the same protos) over the tonic-web-wasm-client transport, with the same exports as
//! `bench-ours` so the harness drives both alike.
#![cfg(target_arch = "wasm32")]

use bench_driver::{fail, Tally};
use proto::grpc::testing::test_service_client::TestServiceClient;
use proto::grpc::testing::{ResponseParameters, SimpleRequest, StreamingOutputCallRequest};
use tonic_web_wasm_client::Client;
use wasm_bindgen::prelude::*;

type Stub = TestServiceClient<Client>;

fn client(base: &str) -> Stub {
    TestServiceClient::new(Client::new(base.to_string()))
}

async fn unary(mut client: Stub, size: u32) -> Result<usize, String> {
    let request = SimpleRequest {
        response_size: size as i32,
        ..Default::default()
    };
    let reply = client
        .unary_call(request)
        .await
        .map_err(|s| s.to_string())?;
    Ok(reply.get_ref().payload.as_ref().map_or(0, |p| p.body.len()))
}

/// `n` sequential unary calls for `size`-byte payloads: each call's latency in ms.
#[wasm_bindgen]
pub async fn unary_seq(base: String, n: u32, size: u32) -> Result<Vec<f64>, JsValue> {
    let c = client(&base);
    bench_driver::unary_seq(n, size as usize, || unary(c.clone(), size)).await
}

/// `total` unary calls, `inflight` at a time: elapsed ms.
#[wasm_bindgen]
pub async fn unary_concurrent(
    base: String,
    total: u32,
    inflight: u32,
    size: u32,
) -> Result<f64, JsValue> {
    let c = client(&base);
    bench_driver::unary_concurrent(total, inflight, size as usize, || unary(c.clone(), size)).await
}

/// A server stream of `count` messages of `size` bytes (binary mode only: this client
/// cannot send text-mode requests): `[first message ms, total ms, messages, bytes]`.
#[wasm_bindgen]
pub async fn stream(base: String, count: u32, size: u32, text: bool) -> Result<Vec<f64>, JsValue> {
    if text {
        return Err(fail("tonic-web-wasm-client sends binary requests only"));
    }
    let mut c = client(&base);
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
    let mut stream = c
        .streaming_output_call(request)
        .await
        .map_err(fail)?
        .into_inner();
    while let Some(m) = stream.message().await.map_err(fail)? {
        tally.message(m.payload.map_or(0, |p| p.body.len()));
    }
    tally.finish(count, size as usize)
}
