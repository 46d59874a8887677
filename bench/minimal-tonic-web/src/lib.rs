//! The minimal app of the size comparison for tonic-web-wasm-client: one unary and one
//! streaming call through tonic's generated client.
#![cfg(target_arch = "wasm32")]

use proto::grpc::testing::test_service_client::TestServiceClient;
use proto::grpc::testing::{ResponseParameters, SimpleRequest, StreamingOutputCallRequest};
use tonic_web_wasm_client::Client;
use wasm_bindgen::prelude::*;

/// Makes both calls against `base`; the payload bytes received.
#[wasm_bindgen]
pub async fn run(base: String) -> Result<u32, JsValue> {
    let err = |s: tonic::Status| JsValue::from_str(&s.to_string());
    let mut c = TestServiceClient::new(Client::new(base));
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
        .map_err(err)?
        .into_inner();
    while let Some(m) = stream.message().await.map_err(err)? {
        n += m.payload.map_or(0, |p| p.body.len());
    }
    Ok(n as u32)
}
