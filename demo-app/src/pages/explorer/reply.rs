//! The Explorer's reply: status, what probably went wrong, messages as JSON beside their
//! bytes, headers and trailers (each for what it is), error details, timings.

use leptos::prelude::*;

use super::call::{Ended, Exchange, Received};
use super::{wire, State};
use crate::inspector::pair_list;

/// The reply to the last request sent.
#[component]
pub fn ReplyPanel(state: State) -> impl IntoView {
    let exchange = state.exchange;
    let sent = move || exchange.with(|e| !e.method.is_empty());
    view! {
        <Show when=sent>
            <div class="card stack" id="explorer-reply" aria-live="polite">
                <div class="row wrap explorer-status-line">
                    <h2>"Reply"</h2>
                    {move || exchange.with(|e| status_badge(e, state.running.get()))}
                    <span class="muted small" id="explorer-timing">{move || exchange.with(timing)}</span>
                </div>
                {move || exchange.with(|e| e.end.clone()).map(|end| view! { <EndView end /> })}
                <div class="wire-request">
                    <h4>"Request on the wire"</h4>
                    <pre class="mono hex">{move || exchange.with(|e| wire::hex(&e.request_frame))}</pre>
                    <p class="muted small">{move || exchange.with(|e| format!(
                        "{} B protobuf in a {} B frame; {} B as JSON",
                        e.request_frame.len().saturating_sub(5), e.request_frame.len(), e.request_json_len
                    ))}</p>
                </div>
                <h4>{move || exchange.with(|e| format!("Messages received: {}", e.messages.len()))}</h4>
                <ol class="explorer-messages" id="explorer-messages">
                    {move || exchange.with(|e| e.messages.clone()).into_iter().map(|m| view! { <MessageView m /> }).collect_view()}
                </ol>
                <Pairs id="explorer-headers" title="Response headers" pairs=Signal::derive(move || exchange.with(|e| e.headers.clone())) />
                {move || exchange.with(|e| e.end.clone()).map(|end| if end.trailers_only {
                    view! {
                        <div id="explorer-trailers">
                            <h4>"Trailers"</h4>
                            <p class="muted small">"none: a trailers-only reply, its status came in the headers"</p>
                        </div>
                    }.into_any()
                } else {
                    view! { <Pairs id="explorer-trailers" title="Trailers" pairs=Signal::derive(move || end.trailers.clone()) /> }.into_any()
                })}
            </div>
        </Show>
    }
}

fn status_badge(e: &Exchange, running: bool) -> impl IntoView {
    let (class, text) = match &e.end {
        Some(end) if end.code == "OK" => ("badge badge-ok", "OK".to_string()),
        Some(end) => ("badge badge-error", end.code.to_string()),
        None if running && e.headers_ms.is_some() => ("badge badge-live", "STREAMING".to_string()),
        None => ("badge badge-pending", "PENDING".to_string()),
    };
    view! { <span id="explorer-status" class=class>{text}</span> }
}

fn timing(e: &Exchange) -> String {
    let ms = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.0} ms"));
    format!(
        "headers {} · total {}",
        ms(e.headers_ms),
        ms(e.end.as_ref().map(|end| end.total_ms))
    )
}

#[component]
fn EndView(end: Ended) -> impl IntoView {
    let failed = end.code != "OK";
    view! {
        {failed.then(|| view! {
            <div class="error-panel" id="explorer-failure" role="alert">
                <div class="error-head">
                    <span class="badge badge-error status-code">{end.code}</span>
                    <span class="muted">{format!("code {}", end.number)}</span>
                </div>
                <p class="error-message">{end.message.clone()}</p>
                {end.hint.clone().map(|hint| view! { <p id="explorer-hint">{hint}</p> })}
                {(!end.details.is_empty()).then(|| view! {
                    <div class="error-details" id="explorer-details">
                        <h4>"Details (google.rpc.Status)"</h4>
                        {end.details.iter().map(|(name, json)| view! {
                            <div class="detail"><code>{name.clone()}</code><pre class="mono">{json.clone()}</pre></div>
                        }).collect_view()}
                    </div>
                })}
            </div>
        })}
    }
}

#[component]
fn MessageView(m: Received) -> impl IntoView {
    let bytes = m.frame.len().saturating_sub(5);
    view! {
        <li class="explorer-message appear">
            <pre class="mono json">{m.json.clone()}</pre>
            <div class="wire">
                <p class="muted small">{format!("{bytes} B protobuf · {} B as JSON", m.json.len())}</p>
                <pre class="mono hex">{wire::hex(&m.frame)}</pre>
            </div>
        </li>
    }
}

#[component]
fn Pairs(
    id: &'static str,
    title: &'static str,
    pairs: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    view! {
        <div id=id>
            <h4>{title}</h4>
            {move || pair_list(pairs.get())}
        </div>
    }
}
