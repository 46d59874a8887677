//! The size floor of the comparison: what any Rust client built on wasm-bindgen ships for
//! the minimal app's two calls, before doing any gRPC-Web work: the JS glue, an async
//! executor, `fetch` with a streaming body reader, and prost for the messages. Frames are
//! cut by their length prefix and nothing else is checked (no status, trailers, limits or
//! errors), so this is a floor to read the clients' sizes against, not a client.
#![cfg(target_arch = "wasm32")]

use js_sys::{Reflect, Uint8Array};
use prost::Message;
use proto::grpc::testing::{
    ResponseParameters, SimpleRequest, SimpleResponse, StreamingOutputCallRequest,
    StreamingOutputCallResponse,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_with_request(request: &web_sys::Request) -> js_sys::Promise;
}

/// POSTs one framed message and returns the body's frames' payloads (trailers skipped).
async fn call(url: &str, message: &impl Message) -> Result<Vec<Vec<u8>>, JsValue> {
    let payload = message.encode_to_vec();
    let mut body = vec![0];
    body.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    body.extend_from_slice(&payload);
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&Uint8Array::from(&body[..]));
    let headers = web_sys::Headers::new()?;
    headers.set("content-type", "application/grpc-web+proto")?;
    headers.set("x-grpc-web", "1")?;
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init)?;
    let response: web_sys::Response = JsFuture::from(fetch_with_request(&request))
        .await?
        .dyn_into()?;
    let reader: web_sys::ReadableStreamDefaultReader = response
        .body()
        .ok_or("no body")?
        .get_reader()
        .unchecked_into();
    let mut buf = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await?;
        if Reflect::get(&chunk, &"done".into())?.is_truthy() {
            break;
        }
        let value: Uint8Array = Reflect::get(&chunk, &"value".into())?.dyn_into()?;
        buf.extend_from_slice(&value.to_vec());
    }
    let mut frames = Vec::new();
    let mut rest = &buf[..];
    while rest.len() >= 5 {
        let len = u32::from_be_bytes([rest[1], rest[2], rest[3], rest[4]]) as usize;
        let end = (5 + len).min(rest.len());
        if rest[0] & 0x80 == 0 {
            frames.push(rest[5..end].to_vec());
        }
        rest = &rest[end..];
    }
    Ok(frames)
}

/// Makes both calls against `base`; the payload bytes received.
#[wasm_bindgen]
pub async fn run(base: String) -> Result<u32, JsValue> {
    let bad = |e: prost::DecodeError| JsValue::from_str(&e.to_string());
    let unary = SimpleRequest {
        response_size: 8,
        ..Default::default()
    };
    let mut n = 0;
    for frame in call(
        &format!("{base}/grpc.testing.TestService/UnaryCall"),
        &unary,
    )
    .await?
    {
        let reply = SimpleResponse::decode(&frame[..]).map_err(bad)?;
        n += reply.payload.map_or(0, |p| p.body.len());
    }
    let param = ResponseParameters {
        size: 8,
        ..Default::default()
    };
    let stream = StreamingOutputCallRequest {
        response_parameters: vec![param, param],
        ..Default::default()
    };
    let url = format!("{base}/grpc.testing.TestService/StreamingOutputCall");
    for frame in call(&url, &stream).await? {
        let reply = StreamingOutputCallResponse::decode(&frame[..]).map_err(bad)?;
        n += reply.payload.map_or(0, |p| p.body.len());
    }
    Ok(n as u32)
}
