//! `ClientOptions`: how a JavaScript options object configures a [`Client`]. Shared by both
//! wasm modules: `GrpcWebClient` applies them, and `DynamicClient` applies the same options
//! to a client of its own.

use wasm_bindgen::prelude::*;

use super::interop::{self, count, get, invalid, millis, MetadataValue};
use crate::client::{Client, Credentials, Mode};
use crate::protocol::compression::Compression;
use crate::protocol::status::{Code, Status};

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

/// Applies a `ClientOptions` object.
pub fn configure(mut client: Client, options: &JsValue) -> Result<Client, Status> {
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
        Some("gzip") if Compression::Gzip.is_available() => Ok(Compression::Gzip),
        // Only a build with neither `gzip` nor `browser-gzip` (the npm modules have the latter).
        Some("gzip") => Err(Status::new(
            Code::Unimplemented,
            format!("{name}: this build of grpc-web-wasm has no gzip"),
        )),
        _ => Err(invalid(format!("{name} must be \"gzip\""))),
    }
}
