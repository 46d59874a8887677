//! Where a `DynamicClient` gets its client and its descriptors: a client like the core
//! module's `GrpcWebClient` it was given, and the server's reflection service. Also the
//! options that shape its JSON.

use bytes::Bytes;
use wasm_bindgen::JsValue;

use super::interop::{self, get, invalid, CallOptions};
use super::options;
use super::reflection::{self, Discovery};
use super::schema::{JsonOptions, Schema};
use crate::client::Client;
use crate::protocol::status::{Code, Status};

/// A client of this module like the core module's `GrpcWebClient` `value`: same base URL,
/// same options. (A class of another wasm module cannot be used from this one directly.)
pub fn client_like(value: &JsValue) -> Result<Client, Status> {
    let not_a_client = || invalid("client must be a GrpcWebClient (from \"grpc-web-wasm\")");
    if !value.is_object() {
        return Err(not_a_client());
    }
    // A freed client's getters throw: that is not a client either.
    let read = |key: &str| js_sys::Reflect::get(value, &key.into()).map_err(|_| not_a_client());
    let base_url = read("baseUrl")?.as_string().ok_or_else(not_a_client)?;
    options::configure(Client::new(base_url), &read("options")?)
}

/// Walks the server's reflection service until every file it needs is known.
pub async fn discover(client: &Client, call: &CallOptions) -> Result<Schema, Status> {
    let mut discovery = Discovery::new();
    let mut version = 0;
    while let Some((query, body)) = discovery.next_request()? {
        let answer = loop {
            match ask(client, reflection::PATHS[version], &body, call).await {
                Err(status) if status.code() == Code::Unimplemented && version == 0 => version = 1,
                other => break other?,
            }
        };
        discovery.on_response(&query, &answer)?;
    }
    discovery.finish()
}

/// One reflection exchange: one request in, the first reply out.
async fn ask(
    client: &Client,
    path: &str,
    body: &[u8],
    call: &CallOptions,
) -> Result<Bytes, Status> {
    let request = call.request(Bytes::copy_from_slice(body));
    let mut replies = client.server_streaming_raw(path, request).await?;
    replies.message().await?.ok_or_else(|| {
        Status::new(
            Code::Internal,
            "the reflection service ended without answering",
        )
    })
}

pub fn json_options(value: &JsValue) -> Result<JsonOptions, Status> {
    let Some(object) = interop::options_object(
        value,
        &["emitDefaults", "enumsAsNumbers", "protoFieldNames"],
    )?
    else {
        return Ok(JsonOptions::default());
    };
    Ok(JsonOptions {
        emit_defaults: flag(&get(&object, "emitDefaults"), "emitDefaults")?,
        enums_as_numbers: flag(&get(&object, "enumsAsNumbers"), "enumsAsNumbers")?,
        proto_field_names: flag(&get(&object, "protoFieldNames"), "protoFieldNames")?,
    })
}

/// A boolean option, `false` when absent.
fn flag(value: &JsValue, name: &str) -> Result<bool, Status> {
    if value.is_undefined() {
        return Ok(false);
    }
    value
        .as_bool()
        .ok_or_else(|| invalid(format!("{name} must be a boolean")))
}
