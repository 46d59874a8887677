//! The demo's way to the server: one [`Client`] shared by every page, and a fresh
//! recording interceptor per call so that each call shows up in the inspector.

use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::{Stream, StreamExt};
use std::time::Duration;

use grpc_web_wasm::protocol::retry::RetryPolicy;
use grpc_web_wasm::protocol::status::percent_decode;
use grpc_web_wasm::{CallEnd, Client, Code, Interceptor, MetadataMap, RequestHead, Status};
use leptos::prelude::*;
use prost::Message;

use crate::inspector::{CallRecord, Calls, End};
use crate::json::Json;

/// The server and the inspector's log. Cheap to clone; provided as context by the app.
#[derive(Clone)]
pub struct Api {
    client: Client,
    calls: Calls,
}

impl Api {
    /// Calls the server at `base_url`, recording into `calls`.
    pub fn new(base_url: String, calls: Calls) -> Api {
        Api {
            client: with_retries(Client::new(base_url)),
            calls,
        }
    }

    /// Whether the page comes from the server it calls: then CORS cannot refuse a call.
    pub fn same_origin(&self) -> bool {
        let origin = window().location().origin().unwrap_or_default();
        self.client.base_url().trim_end_matches('/') == origin
    }

    /// The server's base URL.
    pub fn base_url(&self) -> String {
        self.client.base_url().to_string()
    }

    /// Starts recording a call that sends `request`; make the call with [`Call::client`].
    pub fn call(&self, request: &(impl Message + Json), streaming: bool) -> Call {
        self.record(
            &self.client,
            streaming,
            request.encoded_len(),
            request.json().len(),
        )
    }

    /// Starts recording a call through `client` (any server) whose request is `bytes` of
    /// protobuf, `json` bytes as JSON; make the call with [`Call::client`].
    pub fn record(&self, client: &Client, streaming: bool, bytes: usize, json: usize) -> Call {
        self.start(client, |id| CallRecord::new(id, streaming, bytes, json))
    }

    /// Starts recording a client-streaming (`streaming` false) or bidi call, whose messages
    /// are recorded as they go by [`Call::sending`].
    pub fn stream_call(&self, streaming: bool) -> Call {
        self.start(&self.client, |id| CallRecord::new_stream(id, streaming))
    }

    fn start(&self, client: &Client, record: impl FnOnce(u64) -> CallRecord) -> Call {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let record = ArcRwSignal::new(record(id));
        self.calls.push(record.clone());
        let client = client.clone().interceptor(Recorder {
            record: record.clone(),
            request_id: format!("demo-{id}"),
        });
        Call { record, client }
    }
}

/// The demo's retry policy (gRFC A6): the lookups, which change nothing on the server
/// (`NO_SIDE_EFFECTS` in users.proto), are tried up to 3 times while the server is
/// `UNAVAILABLE` (a restart); the Inspector shows how many attempts a call took.
fn with_retries(client: Client) -> Client {
    let policy = RetryPolicy::new(
        3,
        Duration::from_millis(200),
        Duration::from_secs(2),
        2.0,
        &[Code::Unavailable],
    );
    let Ok(policy) = policy else {
        return client;
    };
    [
        "/demo.v1.UserService/GetUser",
        "/demo.v1.UserService/ListUsers",
    ]
    .into_iter()
    .fold(client, |client, method| {
        client
            .clone()
            .method_policy(method, policy.clone())
            .unwrap_or(client)
    })
}

/// One recorded call: the client that records it, and hooks for what the interceptor
/// cannot see (response headers and messages).
pub struct Call {
    record: ArcRwSignal<CallRecord>,
    client: Client,
}

impl Call {
    /// The client to make this call (and only this one) with.
    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// The response headers arrived.
    pub fn headers(&self, headers: &MetadataMap) {
        let pairs = pairs(headers);
        let now = js_sys::Date::now();
        self.record.update(|r| {
            r.headers_ms = Some(now - r.started_ms);
            r.response_headers = pairs;
        });
    }

    /// The request is a stream of `messages` messages, all sent at once (their sizes were
    /// given when the call was recorded).
    pub fn streamed(&self, messages: usize) {
        self.record.update(|r| {
            r.client_streaming = true;
            r.sent = messages;
        });
    }

    /// `messages`, each recorded as sent when the call takes it.
    pub fn sending<S>(&self, messages: S) -> impl Stream<Item = S::Item> + 'static
    where
        S: Stream + 'static,
        S::Item: Message + Json,
    {
        let record = self.record.clone();
        messages.inspect(move |message| {
            let (bytes, json) = (message.encoded_len(), message.json().len());
            record.update(|r| {
                r.sent += 1;
                r.request_bytes += bytes;
                r.request_json += json;
            });
        })
    }

    /// A response message arrived.
    pub fn message(&self, message: &(impl Message + Json)) {
        self.message_sizes(message.encoded_len(), message.json().len());
    }

    /// A response message of `bytes` bytes (`json` as JSON) arrived.
    pub fn message_sizes(&self, bytes: usize, json: usize) {
        self.record.update(|r| {
            r.messages += 1;
            r.response_bytes += bytes;
            r.response_json += json;
        });
    }

    /// Records a unary reply (headers and message); errors are recorded by the interceptor.
    pub fn reply<T: Message + Json>(
        &self,
        reply: Result<grpc_web_wasm::Response<T>, Status>,
    ) -> Result<T, Status> {
        let reply = reply?;
        self.headers(reply.headers());
        self.message(reply.get_ref());
        Ok(reply.into_inner())
    }
}

/// Fills a call's record: the metadata sent (with a request id it adds) and how it ended.
struct Recorder {
    record: ArcRwSignal<CallRecord>,
    request_id: String,
}

impl Interceptor for Recorder {
    fn on_request(&self, head: &mut RequestHead) -> Result<(), Status> {
        head.metadata_mut()
            .insert("x-request-id", &self.request_id)
            .map_err(|e| Status::new(grpc_web_wasm::Code::Internal, e.to_string()))?;
        let method = head.path().to_string();
        let metadata = pairs(head.metadata());
        let timeout = head.timeout();
        self.record.update(|r| {
            r.method = method;
            r.request_metadata = metadata;
            if let Some(t) = timeout {
                r.request_metadata
                    .push(("grpc-timeout".into(), format!("{} ms", t.as_millis())));
            }
        });
        Ok(())
    }

    fn on_end(&self, end: &CallEnd<'_>) {
        let status = end.status();
        let metadata = pairs(status.metadata());
        let headers = pairs(status.headers());
        // A trailers-only reply has no body: its status, and every HTTP header with it, came
        // in the headers, which the client then hands over as the status's metadata. Shown as
        // trailers they would list `date`, `content-type` and the CORS headers.
        let trailers_only = !metadata.is_empty()
            && (metadata == headers
                || self
                    .record
                    .with_untracked(|r| r.response_headers == metadata));
        let recorded = End {
            code: status.code().as_str(),
            message: status.message().to_string(),
            headers: if trailers_only { metadata } else { headers },
            trailers: if trailers_only {
                Vec::new()
            } else {
                pairs(status.metadata())
            },
            trailers_only,
            elapsed_ms: end.elapsed().as_secs_f64() * 1000.0,
            attempts: end.attempts(),
        };
        // A stream dropped with its page ends here, inside the page's disposal: update the
        // log on the next tick rather than in the middle of that.
        let record = self.record.clone();
        leptos::task::spawn_local(async move {
            record.update(|r| {
                if r.response_headers.is_empty() {
                    r.response_headers = recorded.headers.clone();
                }
                r.end = Some(recorded);
            });
        });
    }
}

/// Metadata as the inspector lists it. `grpc-message` is percent-encoded on the wire; shown
/// decoded, as the status message reads.
pub fn pairs(metadata: &MetadataMap) -> Vec<(String, String)> {
    metadata
        .iter()
        .map(|(k, v)| {
            let v = if k == "grpc-message" {
                percent_decode(v)
            } else {
                v.to_string()
            };
            (k.to_string(), v)
        })
        .collect()
}
