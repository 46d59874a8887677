//! A failed call as the pages show it: the status code, its message, and the rich error
//! details the server attached (`google.rpc.Status` in `grpc-status-details-bin`).

use grpc_web_wasm::Status;
use leptos::prelude::*;
use prost::Name;
use proto::google::rpc::BadRequest;

/// What the error panel shows of a [`Status`].
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// `NOT_FOUND`, `INVALID_ARGUMENT`, ...
    pub code: &'static str,
    /// The numeric code, for people matching it against a server's logs.
    pub number: i32,
    pub message: String,
    /// Field violations from a `google.rpc.BadRequest` detail: (field, description).
    pub violations: Vec<(String, String)>,
    /// Type URLs of the other details, which this page cannot decode.
    pub other_details: Vec<String>,
}

impl Failure {
    /// Reads everything the panel shows out of `status`.
    pub fn of(status: &Status) -> Failure {
        let details = status.details();
        let bad_request_url = BadRequest::type_url();
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
            number: status.code().as_i32(),
            message: status.message().to_string(),
            violations,
            other_details: details
                .into_iter()
                .map(|any| any.type_url)
                .filter(|url| *url != bad_request_url)
                .collect(),
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
                <span class="muted">"code " {number}</span>
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
