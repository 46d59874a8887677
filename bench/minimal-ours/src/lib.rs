//! The minimal app of the size comparison: one unary and one streaming call through the
//! generated client. `cargo xtask bench` builds it with lto, opt-level "z" and strip, and
//! also runs it once in the harness so the measured bytes are known to work.
#![cfg(target_arch = "wasm32")]

use grpc_web_wasm::Client;
use proto::grpc::testing::{
    ResponseParameters, SimpleRequest, StreamingOutputCallRequest, TestServiceClient,
};
use wasm_bindgen::prelude::*;

/// Makes both calls against `base`; the payload bytes received.
#[wasm_bindgen]
pub async fn run(base: String) -> Result<u32, JsValue> {
    let err = |s: grpc_web_wasm::Status| JsValue::from_str(&s.to_string());
    let c = TestServiceClient::new(Client::new(&base));
    let reply = c
        .unary_call(SimpleRequest {
            response_size: 8,
            ..Default::default()
        })
        .await
        .map_err(err)?;
    let mut n = reply.get_ref().payload.as_ref().map_or(0, |p| p.body.len());
    let param = ResponseParameters {
        size: 8,
        ..Default::default()
    };
    let mut stream = c
        .streaming_output_call(StreamingOutputCallRequest {
            response_parameters: vec![param, param],
            ..Default::default()
        })
        .await
        .map_err(err)?;
    while let Some(m) = stream.message().await.map_err(err)? {
        n += m.payload.map_or(0, |p| p.body.len());
    }
    Ok(n as u32)
}
