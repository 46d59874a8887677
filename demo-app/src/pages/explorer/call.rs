//! One Explorer call: the request checked and encoded from its JSON (nothing is sent if it
//! does not fit the method), then sent as a unary call, a server stream, or, for methods
//! that stream requests, over a WebSocket with each message of a JSON array in turn; and
//! everything that comes back recorded as it arrives.

use std::time::Duration;

use bytes::Bytes;
use grpc_web_wasm::dynamic::{decode, encode, JsonOptions, Schema};
use grpc_web_wasm::{Client, MetadataMap, Request, Status};
use leptos::prelude::*;
use prost_reflect::MessageDescriptor;

use super::{explain, wire};
use crate::api::{pairs, Call};

/// A request ready to send.
pub struct Prepared {
    pub path: String,
    /// The reply is a stream.
    pub streaming: bool,
    /// The request is a stream (client streaming or bidi).
    pub client_streaming: bool,
    /// The request messages: one, unless the request is a stream.
    pub messages: Vec<Bytes>,
    pub json: String,
    request: Request<()>,
}

impl Prepared {
    /// The request messages' protobuf bytes.
    pub fn size(&self) -> usize {
        self.messages.iter().map(Bytes::len).sum()
    }

    /// The request messages as framed on the wire.
    pub fn frames(&self) -> Vec<u8> {
        self.messages.iter().flat_map(|m| wire::frame(m)).collect()
    }
}

/// One call as the page shows it; filled in as the reply arrives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exchange {
    pub method: String,
    /// When it was sent (ms since the epoch).
    pub started_ms: f64,
    pub request_frame: Vec<u8>,
    pub request_json_len: usize,
    pub headers: Vec<(String, String)>,
    pub headers_ms: Option<f64>,
    pub messages: Vec<Received>,
    pub end: Option<Ended>,
}

/// A reply message: proto3 JSON beside its frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub json: String,
    pub frame: Vec<u8>,
}

/// How the call ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Ended {
    pub code: &'static str,
    pub number: i32,
    pub message: String,
    /// The response headers that came with a failure (all of them for a trailers-only one).
    pub headers: Vec<(String, String)>,
    pub trailers: Vec<(String, String)>,
    /// The status came in the headers (no body, so no trailers).
    pub trailers_only: bool,
    /// `google.rpc.Status` details: type name and the message as JSON (or why not).
    pub details: Vec<(String, String)>,
    /// What probably went wrong, in the user's terms.
    pub hint: Option<String>,
    pub total_ms: f64,
}

/// Checks and encodes a request for `method` from what the user typed.
pub fn prepare(
    schema: &Schema,
    method: &str,
    body: &str,
    metadata: &str,
    deadline_ms: &str,
) -> Result<Prepared, String> {
    let method = schema.method(method).map_err(|s| s.message().to_string())?;
    let messages = if method.is_client_streaming() {
        encode_stream(&method.input(), body)?
    } else {
        let message = encode(&method.input(), body)
            .map_err(|s| format!("{}. Nothing was sent.", s.message()))?;
        vec![Bytes::from(message)]
    };
    let mut request = Request::new(());
    for (n, line) in metadata.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| format!("metadata line {}: want `key: value`", n + 1))?;
        request
            .metadata_mut()
            .append(key.trim(), value.trim())
            .map_err(|e| format!("metadata line {}: {e}", n + 1))?;
    }
    let deadline = deadline_ms.trim();
    if !deadline.is_empty() {
        let ms: u64 = deadline
            .parse()
            .map_err(|_| format!("deadline: want whole milliseconds, not {deadline:?}"))?;
        request.set_timeout(Duration::from_millis(ms));
    }
    Ok(Prepared {
        path: method.path(),
        streaming: method.is_server_streaming(),
        client_streaming: method.is_client_streaming(),
        json: body.to_string(),
        messages,
        request,
    })
}

/// A request stream from a JSON array of messages (or one message on its own).
fn encode_stream(input: &MessageDescriptor, body: &str) -> Result<Vec<Bytes>, String> {
    let items = match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Array(items)) => items,
        Ok(one) => vec![one],
        Err(e) => {
            return Err(format!(
                "the request stream is not JSON ({e}): want an array of messages. Nothing was sent."
            ))
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            encode(input, &item.to_string())
                .map(Bytes::from)
                .map_err(|s| format!("message {}: {}. Nothing was sent.", i + 1, s.message()))
        })
        .collect()
}

/// Sends `prepared` with `client` (made by `call`, which records it in the Inspector),
/// filling `exchange` as the reply arrives.
pub async fn run(
    schema: Schema,
    client: Client,
    call: Call,
    prepared: Prepared,
    exchange: RwSignal<Exchange>,
) {
    let started = js_sys::Date::now();
    let url = client.base_url().to_string();
    let method = prepared.path.trim_start_matches('/').to_string();
    let Ok(output) = schema.method(&method).map(|m| m.output()) else {
        return;
    };
    let got_headers = |headers: &MetadataMap| {
        call.headers(headers);
        let pairs = pairs(headers);
        let at = js_sys::Date::now() - started;
        exchange.update(|e| {
            e.headers = pairs;
            e.headers_ms = Some(at);
        });
    };
    let got_message = |bytes: &[u8]| {
        let json = match decode(&output, bytes, JsonOptions::default()) {
            Ok(json) => pretty(&json),
            Err(status) => format!("(undecodable: {})", status.message()),
        };
        call.message_sizes(bytes.len(), json.len());
        exchange.update(|e| {
            e.messages.push(Received {
                json,
                frame: wire::frame(bytes),
            })
        });
    };
    let end = |outcome: Result<&MetadataMap, Status>| {
        let total_ms = js_sys::Date::now() - started;
        let ended = match outcome {
            Ok(trailers) => Ended {
                code: "OK",
                number: 0,
                message: String::new(),
                headers: Vec::new(),
                trailers: pairs(trailers),
                trailers_only: false,
                details: Vec::new(),
                hint: None,
                total_ms,
            },
            Err(status) => failed(&schema, &status, &url, &method, total_ms),
        };
        exchange.update(|e| {
            if e.headers.is_empty() {
                e.headers = ended.headers.clone();
            }
            e.end = Some(ended);
        });
    };
    let Prepared {
        path,
        streaming,
        client_streaming,
        messages,
        request,
        ..
    } = prepared;
    let stream = match (client_streaming, streaming) {
        (false, false) => {
            let request = request.map(|()| messages.into_iter().next().unwrap_or_default());
            return match client.unary_raw(&path, request).await {
                Ok(reply) => {
                    got_headers(reply.headers());
                    got_message(reply.get_ref());
                    end(Ok(reply.trailers()));
                }
                Err(status) => end(Err(status)),
            };
        }
        (true, false) => {
            let request = request.map(|()| futures_util::stream::iter(messages));
            return match client.client_streaming_raw(&path, request).await {
                Ok(reply) => {
                    got_headers(reply.headers());
                    got_message(reply.get_ref());
                    end(Ok(reply.trailers()));
                }
                Err(status) => end(Err(status)),
            };
        }
        (false, true) => {
            let request = request.map(|()| messages.into_iter().next().unwrap_or_default());
            client.server_streaming_raw(&path, request).await
        }
        (true, true) => {
            let request = request.map(|()| futures_util::stream::iter(messages));
            client.streaming_raw(&path, request).await
        }
    };
    let mut stream = match stream {
        Ok(stream) => stream,
        Err(status) => return end(Err(status)),
    };
    got_headers(stream.headers());
    loop {
        match stream.message().await {
            Ok(Some(bytes)) => got_message(&bytes),
            Ok(None) => {
                let trailers = stream.trailers().cloned().unwrap_or_else(MetadataMap::new);
                return end(Ok(&trailers));
            }
            Err(status) => return end(Err(status)),
        }
    }
}

/// A failed end: trailers told apart from headers, details decoded with the schema.
fn failed(schema: &Schema, status: &Status, url: &str, method: &str, total_ms: f64) -> Ended {
    let metadata = pairs(status.metadata());
    let headers = pairs(status.headers());
    // A trailers-only reply's status, and every header with it, came in the headers.
    let trailers_only = !metadata.is_empty() && metadata == headers;
    let details = status
        .error_details()
        .into_iter()
        .map(|any| {
            let name = any
                .type_url
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string();
            let json = schema
                .message(&name)
                .or_else(|e| rpc_details().ok_or(e)?.message(&name))
                .and_then(|desc| decode(&desc, &any.value, JsonOptions::default()))
                .map(|json| pretty(&json))
                .unwrap_or_else(|_| {
                    format!(
                        "({} bytes; the descriptors do not describe it)",
                        any.value.len()
                    )
                });
            (name, json)
        })
        .collect();
    Ended {
        code: status.code().as_str(),
        number: status.code().as_i32(),
        message: status.message().to_string(),
        headers,
        trailers: if trailers_only { Vec::new() } else { metadata },
        trailers_only,
        details,
        hint: explain::call(status, url, method),
        total_ms,
    }
}

/// The `google.rpc` error details (`BadRequest`, `ErrorInfo`, ...), compiled in by
/// `build.rs`: a server's reflection lists only what its services import, which rarely
/// includes them.
fn rpc_details() -> Option<&'static Schema> {
    static DETAILS: std::sync::OnceLock<Option<Schema>> = std::sync::OnceLock::new();
    DETAILS
        .get_or_init(|| {
            Schema::from_file_descriptor_set(include_bytes!(concat!(
                env!("OUT_DIR"),
                "/rpc_details.binpb"
            )))
            .ok()
        })
        .as_ref()
}

/// The end of a call the user stopped: the page dropped it, which aborted the fetch.
pub fn stopped(total_ms: f64) -> Ended {
    Ended {
        code: "CANCELLED",
        number: 1,
        message: "stopped here: the fetch was aborted, so the server saw the client go".into(),
        headers: Vec::new(),
        trailers: Vec::new(),
        trailers_only: false,
        details: Vec::new(),
        hint: None,
        total_ms,
    }
}

/// JSON text indented for reading.
pub fn pretty(json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(json)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| json.to_string())
}
