//! A failed call as the pages show it: the status code, its message, and the rich error
//! details the server attached (`google.rpc.Status` in `grpc-status-details-bin`).

use grpc_web_wasm::Status;
use leptos::prelude::*;
use prost::Name;
use proto::google::rpc::BadRequest;

/// What the error panel shows of a [`Status`].
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// `NOT_FOUND`, `INVALID_ARGUMENT`, ...; for input refused before sending, what was wrong.
    pub code: &'static str,
    /// The numeric code, for people matching it against a server's logs; `None` when nothing
    /// was sent (no call, so no gRPC code: showing 0 would say "OK").
    pub number: Option<i32>,
    pub message: String,
    /// Field violations from a `google.rpc.BadRequest` detail: (field, description).
    pub violations: Vec<(String, String)>,
    /// Type URLs of the other details, which this page cannot decode.
    pub other_details: Vec<String>,
}

impl Failure {
    /// Reads everything the panel shows out of `status`.
    pub fn of(status: &Status) -> Failure {
        let details = status.error_details();
        let violations = status
            .detail::<BadRequest>()
            .map(|b| {
                b.field_violations
                    .into_iter()
                    .map(|v| (v.field, v.description))
                    .collect()
            })
            .unwrap_or_default();
        Failure {
            code: status.code().as_str(),
            number: Some(status.code().as_i32()),
            message: status.message().to_string(),
            violations,
            other_details: details
                .into_iter()
                .map(|any| any.type_url)
                .filter(|url| !names::<BadRequest>(url))
                .collect(),
        }
    }

    /// Input the page refused before calling: no status, nothing on the wire.
    pub fn local(what: &'static str, message: String) -> Failure {
        Failure {
            code: what,
            number: None,
            message,
            violations: Vec::new(),
            other_details: Vec::new(),
        }
    }

    /// What the server said about `field`, if anything.
    pub fn about(&self, field: &str) -> Option<String> {
        let all: Vec<&str> = self
            .violations
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, d)| d.as_str())
            .collect();
        (!all.is_empty()).then(|| all.join("; "))
    }
}

/// What to tell the user when a call lost the server (`UNAVAILABLE`, or a broken stream).
/// The client cannot know why a `fetch` failed and lists CORS among the causes; a page served
/// by the server it calls is same-origin, so CORS cannot be it, and saying so would mislead.
pub fn connection_lost(status: &Status, same_origin: bool) -> String {
    let what = status.message();
    if same_origin {
        // The client lists every possible cause; from the server's own page, CORS and the
        // WebSocket origin check are ruled out, so only the first part stays.
        let reason = what
            .split(" (server unreachable")
            .next()
            .and_then(|r| r.split(": the server is unreachable").next())
            .unwrap_or(what);
        format!(
            "Lost the connection to the server, which may be restarting or down ({reason}). \
             This page comes from that same server, so CORS is not the cause, nor its origin."
        )
    } else {
        format!("Lost the connection to the server: {what}")
    }
}

/// Whether the `Any` type URL `url` names message `T`. Servers send
/// `type.googleapis.com/google.rpc.BadRequest`, while prost's `T::type_url()` is
/// `/google.rpc.BadRequest` (no domain): only the part after the last `/` is the type.
fn names<T: Name>(url: &str) -> bool {
    url.rsplit('/').next() == Some(T::full_name().as_str())
}

/// The error panel: code, message, details. `role="alert"` so screen readers announce it.
#[component]
pub fn ErrorPanel(failure: Failure) -> impl IntoView {
    let Failure {
        code,
        number,
        message,
        violations,
        other_details,
    } = failure;
    let has_details = !violations.is_empty() || !other_details.is_empty();
    view! {
        <div class="error-panel" role="alert">
            <div class="error-head">
                <span class="badge badge-error status-code">{code}</span>
                <span class="muted">{match number {
                    Some(n) => format!("code {n}"),
                    None => "checked in the browser, nothing sent".to_string(),
                }}</span>
            </div>
            <p class="error-message">{message}</p>
            {has_details.then(|| view! {
                <div class="error-details">
                    <h4>"Details"</h4>
                    <ul>
                        {violations.into_iter().map(|(field, description)| view! {
                            <li class="violation">
                                <code>"BadRequest"</code>" "<strong>{field}</strong>": "{description}
                            </li>
                        }).collect_view()}
                        {other_details.into_iter().map(|url| view! {
                            <li><code>{url}</code></li>
                        }).collect_view()}
                    </ul>
                </div>
            })}
        </div>
    }
}
