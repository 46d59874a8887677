//! `GrpcWebClient`: the Rust [`Client`] for JavaScript, with serialized messages
//! (`Uint8Array`) in and out, so it pairs with any JavaScript protobuf library.

use std::rc::Rc;

use bytes::Bytes;
use js_sys::{Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::interop::{self, set, CallOptions};
use super::send::Encode;
use super::{duplex, options, stream};
use crate::client::Client;

/// A gRPC-Web client for one server.
#[wasm_bindgen]
pub struct GrpcWebClient {
    client: Client,
    /// The options it was made with, for `DynamicClient` (another wasm module), which
    /// makes a client of its own like this one.
    options: JsValue,
}

#[wasm_bindgen]
impl GrpcWebClient {
    /// A client for the server at `baseUrl`; method paths are appended to it.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = baseUrl)] base_url: String,
        #[wasm_bindgen(unchecked_optional_param_type = "ClientOptions")] options: JsValue,
    ) -> Result<GrpcWebClient, JsValue> {
        options::configure(Client::new(base_url), &options)
            .map(|client| GrpcWebClient { client, options })
            .map_err(|status| interop::error(&status))
    }

    /// Calls a unary method with a serialized request message.
    #[wasm_bindgen(unchecked_return_type = "Promise<UnaryResponse>")]
    pub fn unary(
        &self,
        method: String,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let client = self.client.clone();
        let request = interop::message_bytes(&request, "request")
            .and_then(|bytes| Ok(CallOptions::from_js(&options)?.request(bytes)));
        future_to_promise(async move {
            let request = request.map_err(|s| interop::error(&s))?;
            let reply = client
                .unary_raw(&interop::method_path(&method), request)
                .await
                .map_err(|s| interop::error(&s))?;
            Ok(unary_response(&reply))
        })
    }

    /// Calls a server-streaming method; iterate the result with `for await`. The call
    /// starts with the first message asked for.
    #[wasm_bindgen(
        js_name = serverStream,
        unchecked_return_type = "MessageStream<Uint8Array>"
    )]
    pub fn server_stream(
        &self,
        method: String,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> JsValue {
        let request = interop::message_bytes(&request, "request")
            .and_then(|bytes| Ok(CallOptions::from_js(&options)?.request(bytes)));
        stream::start_bytes(self.client.clone(), interop::method_path(&method), request)
    }

    /// Calls a client-streaming method over a WebSocket: `send()` serialized messages,
    /// `close()`, then await `response`.
    #[wasm_bindgen(js_name = clientStream, unchecked_return_type = "ClientStreamCall")]
    pub fn client_stream(
        &self,
        method: String,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> JsValue {
        duplex::client_stream(
            self.client.clone(),
            Ok(interop::method_path(&method)),
            &options,
            bytes(),
            Ok,
            unary_response,
        )
    }

    /// Calls a bidirectional-streaming method over a WebSocket: iterate the replies with
    /// `for await` while you `send()` serialized messages; `close()` ends the requests.
    #[wasm_bindgen(
        js_name = bidiStream,
        unchecked_return_type = "BidiStream<Uint8Array>"
    )]
    pub fn bidi_stream(
        &self,
        method: String,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> JsValue {
        duplex::bidi_stream_bytes(
            self.client.clone(),
            Ok(interop::method_path(&method)),
            &options,
            bytes(),
        )
    }

    /// The base URL this client calls.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.client.base_url().to_string()
    }

    /// The options this client was made with (`DynamicClient` reads them to make its own).
    #[wasm_bindgen(getter, unchecked_return_type = "ClientOptions | undefined")]
    pub fn options(&self) -> JsValue {
        self.options.clone()
    }
}

/// A `UnaryResponse`: the message bytes, headers and trailers.
fn unary_response(reply: &crate::Response<Bytes>) -> JsValue {
    let response = Object::new();
    set(
        &response,
        "message",
        &Uint8Array::from(&reply.get_ref()[..]).into(),
    );
    set(
        &response,
        "headers",
        &interop::metadata_to_js(reply.headers()),
    );
    set(
        &response,
        "trailers",
        &interop::metadata_to_js(reply.trailers()),
    );
    response.into()
}

/// Serialized messages, as `GrpcWebClient` sends them.
fn bytes() -> Encode {
    Rc::new(|message: &JsValue| interop::message_bytes(message, "message"))
}
