//! `GrpcWebClient`: the Rust [`Client`] for JavaScript, with serialized messages
//! (`Uint8Array`) in and out, so it pairs with any JavaScript protobuf library.

use bytes::Bytes;
use js_sys::{Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::interop::{self, count, get, invalid, millis, set, CallOptions, MetadataValue};
use super::{duplex, stream};
use crate::client::{Client, Credentials, Mode};
use crate::protocol::compression::Compression;
use crate::protocol::status::Status;

/// A gRPC-Web client for one server.
#[wasm_bindgen]
pub struct GrpcWebClient {
    client: Client,
}

const CLIENT_OPTIONS: &[&str] = &[
    "mode",
    "timeoutMs",
    "credentials",
    "metadata",
    "sendCompressed",
    "acceptCompressed",
    "maxReceiveMessageSize",
    "maxSendMessageSize",
];

#[wasm_bindgen]
impl GrpcWebClient {
    /// A client for the server at `baseUrl`; method paths are appended to it.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = baseUrl)] base_url: String,
        #[wasm_bindgen(unchecked_optional_param_type = "ClientOptions")] options: JsValue,
    ) -> Result<GrpcWebClient, JsValue> {
        configure(Client::new(base_url), &options)
            .map(|client| GrpcWebClient { client })
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
            duplex::bytes(),
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
            duplex::bytes(),
        )
    }

    /// The base URL this client calls.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.client.base_url().to_string()
    }
}

impl GrpcWebClient {
    /// The Rust client behind it.
    pub fn inner(&self) -> &Client {
        &self.client
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

/// Applies a `ClientOptions` object.
fn configure(mut client: Client, options: &JsValue) -> Result<Client, Status> {
    let allowed = [CLIENT_OPTIONS, &super::retry::OPTIONS].concat();
    let Some(object) = interop::options_object(options, &allowed)? else {
        return Ok(client);
    };
    let mode = get(&object, "mode");
    if !mode.is_undefined() {
        client = client.mode(match mode.as_string().as_deref() {
            Some("binary") => Mode::Binary,
            Some("text") => Mode::Text,
            _ => return Err(invalid("mode must be \"binary\" or \"text\"")),
        });
    }
    if let Some(timeout) = millis(&get(&object, "timeoutMs"), "timeoutMs")? {
        client = client.timeout(timeout);
    }
    let credentials = get(&object, "credentials");
    if !credentials.is_undefined() {
        client = client.credentials(match credentials.as_string().as_deref() {
            Some("omit") => Credentials::Omit,
            Some("same-origin") => Credentials::SameOrigin,
            Some("include") => Credentials::Include,
            _ => {
                return Err(invalid(
                    "credentials must be \"omit\", \"same-origin\" or \"include\"",
                ))
            }
        });
    }
    for (key, value) in interop::metadata_from_js(&get(&object, "metadata"))? {
        client = match value {
            MetadataValue::Text(text) => client.header(&key, &text),
            MetadataValue::Bin(bytes) => client.header_bin(&key, &bytes),
        }
        .map_err(|e| invalid(format!("invalid metadata: {e}")))?;
    }
    let send = get(&object, "sendCompressed");
    if !send.is_undefined() {
        client = client.send_compressed(compression(&send, "sendCompressed")?);
    }
    let accept = get(&object, "acceptCompressed");
    if !accept.is_undefined() {
        client = client.accept_compressed(compression(&accept, "acceptCompressed")?);
    }
    if let Some(n) = count(
        &get(&object, "maxReceiveMessageSize"),
        "maxReceiveMessageSize",
    )? {
        client = client.max_decoding_message_size(n);
    }
    if let Some(n) = count(&get(&object, "maxSendMessageSize"), "maxSendMessageSize")? {
        client = client.max_encoding_message_size(n);
    }
    super::retry::configure(client, &object)
}

fn compression(value: &JsValue, name: &str) -> Result<Compression, Status> {
    match value.as_string().as_deref() {
        Some("gzip") => Ok(Compression::Gzip),
        _ => Err(invalid(format!("{name} must be \"gzip\""))),
    }
}
