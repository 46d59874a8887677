//! The protocol inspector: every call the app makes, with its method, metadata both ways,
//! status, timing, and its size as protobuf on the wire against the same messages as JSON.

use leptos::prelude::*;

/// How many calls the inspector keeps (the oldest go first).
const KEEP: usize = 50;
/// A gRPC-Web frame's header: a flags byte and a 4-byte length.
const FRAME_HEADER: usize = 5;

/// What the inspector knows of one call; filled in as the call goes on.
#[derive(Debug, Clone)]
pub struct CallRecord {
    pub id: u64,
    /// `/package.Service/Method`, known once the client starts the call.
    pub method: String,
    /// The reply is a stream.
    pub streaming: bool,
    /// The request is a stream (client streaming or bidi, over a WebSocket).
    pub client_streaming: bool,
    /// When the call started (ms since the epoch).
    pub started_ms: f64,
    pub request_metadata: Vec<(String, String)>,
    /// Request messages sent so far (one for unary and server-streaming calls).
    pub sent: usize,
    /// The request messages: protobuf bytes and the same messages' JSON size.
    pub request_bytes: usize,
    pub request_json: usize,
    /// Time to the response headers.
    pub headers_ms: Option<f64>,
    pub response_headers: Vec<(String, String)>,
    pub messages: usize,
    pub response_bytes: usize,
    pub response_json: usize,
    pub end: Option<End>,
}

/// How a call ended.
#[derive(Debug, Clone)]
pub struct End {
    pub code: &'static str,
    pub message: String,
    /// The response headers the end came with (all of them for a trailers-only reply).
    pub headers: Vec<(String, String)>,
    pub trailers: Vec<(String, String)>,
    /// The status came in the headers, with no body and so no trailers.
    pub trailers_only: bool,
    pub elapsed_ms: f64,
    /// Attempts made, the first included (more than one under the retry policy).
    pub attempts: u32,
}

impl CallRecord {
    /// A call just started, sending a request of these sizes.
    pub fn new(id: u64, streaming: bool, request_bytes: usize, request_json: usize) -> Self {
        CallRecord {
            id,
            method: String::new(),
            streaming,
            client_streaming: false,
            started_ms: js_sys::Date::now(),
            request_metadata: Vec::new(),
            sent: 1,
            request_bytes,
            request_json,
            headers_ms: None,
            response_headers: Vec::new(),
            messages: 0,
            response_bytes: 0,
            response_json: 0,
            end: None,
        }
    }

    /// A client-streaming or bidi call just started, nothing sent yet.
    pub fn new_stream(id: u64, streaming: bool) -> Self {
        CallRecord {
            client_streaming: true,
            sent: 0,
            ..CallRecord::new(id, streaming, 0, 0)
        }
    }

    /// Message bytes on the wire, both ways, with their frame headers.
    pub fn wire_bytes(&self) -> usize {
        self.request_bytes
            + FRAME_HEADER * self.sent
            + self.response_bytes
            + FRAME_HEADER * self.messages
    }

    /// The call's pattern, when not unary.
    pub fn pattern(&self) -> Option<&'static str> {
        match (self.client_streaming, self.streaming) {
            (false, false) => None,
            (false, true) => Some("stream"),
            (true, false) => Some("client stream"),
            (true, true) => Some("bidi"),
        }
    }

    /// The same messages as JSON, both ways.
    pub fn json_bytes(&self) -> usize {
        self.request_json + self.response_json
    }

    /// The method's last path segment, for the list.
    pub fn short_method(&self) -> &str {
        self.method
            .rsplit('/')
            .next()
            .filter(|m| !m.is_empty())
            .unwrap_or("…")
    }
}

/// `json / protobuf`, as "1.8×" (or "–" with nothing to compare).
fn ratio(json: usize, protobuf: usize) -> String {
    if protobuf == 0 {
        "–".into()
    } else {
        format!("{:.1}×", json as f64 / protobuf as f64)
    }
}

/// The log of calls, newest first; shared by the app through [`crate::api::Api`].
#[derive(Clone, Copy)]
pub struct Calls {
    list: RwSignal<Vec<ArcRwSignal<CallRecord>>>,
}

impl Calls {
    /// An empty log, owned by the current reactive owner (the app).
    pub fn new() -> Calls {
        Calls {
            list: RwSignal::new(Vec::new()),
        }
    }

    /// Adds a call at the top.
    pub fn push(&self, record: ArcRwSignal<CallRecord>) {
        self.list.update(|list| {
            list.insert(0, record);
            list.truncate(KEEP);
        });
    }
}

/// The inspector panel.
#[component]
pub fn Inspector(calls: Calls) -> impl IntoView {
    let totals = move || {
        calls.list.with(|list| {
            list.iter().fold((0, 0, 0), |(n, wire, json), r| {
                r.with(|r| {
                    (
                        n + 1,
                        wire + r.request_bytes + r.response_bytes,
                        json + r.json_bytes(),
                    )
                })
            })
        })
    };
    view! {
        <aside id="inspector" class="inspector" aria-labelledby="inspector-title">
            <div class="inspector-head">
                <h2 id="inspector-title">"Inspector"</h2>
                <button type="button" class="btn btn-quiet btn-small"
                    on:click=move |_| calls.list.set(Vec::new())>"Clear"</button>
            </div>
            <p class="inspector-totals" id="inspector-totals">
                {move || {
                    let (n, protobuf, json) = totals();
                    if n == 0 {
                        "Every call the app makes shows up here.".to_string()
                    } else {
                        format!(
                            "{n} call{}: {protobuf} B protobuf vs {json} B as JSON — JSON is {} the size",
                            if n == 1 { "" } else { "s" },
                            ratio(json, protobuf)
                        )
                    }
                }}
            </p>
            <ol class="calls" aria-live="off">
                <For each=move || calls.list.get() key=|r| r.with_untracked(|r| r.id) let:record>
                    <CallItem record />
                </For>
            </ol>
        </aside>
    }
}

#[component]
fn CallItem(record: ArcRwSignal<CallRecord>) -> impl IntoView {
    let r = record.clone();
    let summary = move || {
        r.with(|r| {
            let (badge_class, code) = match &r.end {
                None if (r.streaming || r.client_streaming) && r.headers_ms.is_some() => {
                    ("badge badge-live", "STREAMING")
                }
                None => ("badge badge-pending", "PENDING"),
                Some(end) if end.code == "OK" => ("badge badge-ok", end.code),
                Some(end) => ("badge badge-error", end.code),
            };
            let time = match (&r.end, r.headers_ms) {
                (Some(end), _) => format!("{:.0} ms", end.elapsed_ms),
                (None, Some(h)) => format!("headers {h:.0} ms"),
                _ => String::new(),
            };
            view! {
                <span class="call-method">{r.short_method().to_string()}</span>
                {r.pattern().map(|p| view! { <span class="tag">{p}</span> })}
                {r.end.as_ref().filter(|e| e.attempts > 1).map(|e| view! {
                    <span class="tag tag-attempts">{format!("{} attempts", e.attempts)}</span>
                })}
                <span class=badge_class>{code}</span>
                <span class="call-time">{time}</span>
            }
        })
    };
    let details = move || {
        record.with(|r| {
            let end = r.end.clone();
            view! {
                <dl class="kv">
                    <dt>"method"</dt><dd><code class="call-path">{r.method.clone()}</code></dd>
                    <dt>"status"</dt>
                    <dd>{match &end {
                        Some(e) if e.message.is_empty() => e.code.to_string(),
                        Some(e) => format!("{}: {}", e.code, e.message),
                        None => "in progress".into(),
                    }}</dd>
                    <dt>"timing"</dt>
                    <dd>{format!(
                        "headers {} · total {}",
                        r.headers_ms.map_or("–".into(), |h| format!("{h:.0} ms")),
                        end.as_ref().map_or("–".into(), |e| format!("{:.0} ms", e.elapsed_ms)),
                    )}</dd>
                    <dt>"attempts"</dt>
                    <dd class="call-attempts">{end.as_ref().map_or("–".into(), |e| e.attempts.to_string())}</dd>
                    <dt>"messages"</dt><dd class="call-messages">{format!("{} sent · {} received", r.sent, r.messages)}</dd>
                    <dt>"protobuf"</dt>
                    <dd class="call-protobuf">{format!(
                        "{} B ({} B on the wire with 5-byte frame headers)",
                        r.request_bytes + r.response_bytes,
                        r.wire_bytes()
                    )}</dd>
                    <dt>"as JSON"</dt>
                    <dd class="call-json">{format!(
                        "{} B — {} the protobuf size",
                        r.json_bytes(),
                        ratio(r.json_bytes(), r.request_bytes + r.response_bytes)
                    )}</dd>
                </dl>
                <Pairs title="request metadata" pairs=r.request_metadata.clone() />
                <Pairs title="response headers" pairs=r.response_headers.clone() />
                {match end {
                    Some(e) if e.trailers_only => view! {
                        <div class="pairs pairs-trailers">
                            <h4 class="pairs-title">"trailers"</h4>
                            <p class="muted small">
                                "none: a trailers-only reply, its status came in the headers"
                            </p>
                        </div>
                    }.into_any(),
                    end => view! {
                        <Pairs title="trailers" pairs=end.map(|e| e.trailers).unwrap_or_default() />
                    }.into_any(),
                }}
            }
        })
    };
    view! {
        <li class="call">
            <details>
                <summary>{summary}</summary>
                <div class="call-details">{details}</div>
            </details>
        </li>
    }
}

#[component]
fn Pairs(title: &'static str, pairs: Vec<(String, String)>) -> impl IntoView {
    view! {
        <div class=format!("pairs pairs-{}", title.replace(' ', "-"))>
        <h4 class="pairs-title">{title}</h4>
        {pair_list(pairs)}
        </div>
    }
}

/// Metadata as a key/value list, or "none"; the Explorer shows its replies' the same way.
pub fn pair_list(pairs: Vec<(String, String)>) -> AnyView {
    if pairs.is_empty() {
        view! { <p class="muted small">"none"</p> }.into_any()
    } else {
        view! {
            <dl class="kv mono">
                {pairs.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
            </dl>
        }
        .into_any()
    }
}
