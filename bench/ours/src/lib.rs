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

/// A request for `count` reply messages of `size` bytes.
fn many(count: u32, size: u32) -> StreamingOutputCallRequest {
    StreamingOutputCallRequest {
        response_parameters: vec![
            ResponseParameters {
                size: size as i32,
                ..Default::default()
            };
            count as usize
        ],
        ..Default::default()
    }
}

/// A server stream of `count` messages of `size` bytes, binary or text mode:
/// `[first message ms, total ms, messages, bytes]`.
#[wasm_bindgen]
pub async fn stream(base: String, count: u32, size: u32, text: bool) -> Result<Vec<f64>, JsValue> {
    let c = client(&base, text);
    let request = many(count, size);
    let mut tally = Tally::start();
    let mut stream = c.streaming_output_call(request).await.map_err(fail)?;
    while let Some(m) = stream.message().await.map_err(fail)? {
        tally.message(m.payload.map_or(0, |p| p.body.len()));
    }
    tally.finish(count, size as usize)
}

// Over a WebSocket (`grpc-websockets`), which only this contender speaks: the rows a user
// compares with the unary-over-fetch rows above, the way they would otherwise send many
// messages.

fn payload(size: u32) -> Option<proto::grpc::testing::Payload> {
    Some(proto::grpc::testing::Payload {
        body: vec![0; size as usize].into(),
        ..Default::default()
    })
}

/// `n` round trips on one bidi call, a `size`-byte message each way: each one's ms.
#[wasm_bindgen]
pub async fn ping_pong(base: String, n: u32, size: u32) -> Result<Vec<f64>, JsValue> {
    let c = client(&base, false);
    let (tx, rx) = futures_channel::mpsc::unbounded();
    let ping = || StreamingOutputCallRequest {
        response_parameters: vec![ResponseParameters {
            size: size as i32,
            ..Default::default()
        }],
        payload: payload(size),
        ..Default::default()
    };
    tx.unbounded_send(ping()).map_err(fail)?;
    let mut replies = c.full_duplex_call(rx).await.map_err(fail)?;
    // Round trip 0 opens the socket; the n timed ones follow on the open stream.
    let mut times = Vec::with_capacity(n as usize);
    let mut sent_at = 0.0;
    for i in 0..=n {
        let reply = replies.message().await.map_err(fail)?;
        let len = reply.and_then(|r| r.payload).map_or(0, |p| p.body.len());
        if len != size as usize {
            return Err(fail(format!("round trip {i}: {len} bytes, want {size}")));
        }
        let now = bench_driver::now();
        if i > 0 {
            times.push(now - sent_at);
        }
        if i < n {
            sent_at = bench_driver::now();
            tx.unbounded_send(ping()).map_err(fail)?;
        }
    }
    drop(tx);
    while replies.message().await.map_err(fail)?.is_some() {}
    Ok(times)
}

/// `count` messages of `size` bytes up one client-streaming call: elapsed ms, to the reply.
#[wasm_bindgen]
pub async fn upload(base: String, count: u32, size: u32) -> Result<f64, JsValue> {
    let c = client(&base, false);
    let message = proto::grpc::testing::StreamingInputCallRequest {
        payload: payload(size),
        ..Default::default()
    };
    let started = bench_driver::now();
    let messages = futures_util::stream::iter(std::iter::repeat_n(message, count as usize));
    let reply = c.streaming_input_call(messages).await.map_err(fail)?;
    let got = reply.get_ref().aggregated_payload_size;
    if got as u64 != u64::from(count) * u64::from(size) {
        return Err(fail(format!("the server counted {got} bytes")));
    }
    Ok(bench_driver::now() - started)
}

/// `count` messages of `size` bytes down one bidi call, asked for by one request:
/// `[first message ms, total ms, messages, bytes]`, as `stream`.
#[wasm_bindgen]
pub async fn socket_stream(base: String, count: u32, size: u32) -> Result<Vec<f64>, JsValue> {
    let c = client(&base, false);
    let request = many(count, size);
    let mut tally = Tally::start();
    let requests = futures_util::stream::iter([request]);
    let mut stream = c.full_duplex_call(requests).await.map_err(fail)?;
    while let Some(m) = stream.message().await.map_err(fail)? {
        tally.message(m.payload.map_or(0, |p| p.body.len()));
    }
    tally.finish(count, size as usize)
}
