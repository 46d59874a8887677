//! The Explorer's request: the method, and the request (JSON beside a table of its fields,
//! metadata, deadline, mode), with Send and Stop, a shareable link and the same call as a
//! grpcurl command.

use grpc_web_wasm::{Client, Mode};
use leptos::prelude::*;

use super::call::{self, Exchange};
use super::connect::Source;
use super::share::{self, Grpcurl, Shared};
use super::{template, State};
use crate::api::Api;

/// The method picker and the request editor.
#[component]
pub fn RequestPanel(state: State, api: Api) -> impl IntoView {
    let picked_method = move || {
        let name = state.method.get()?;
        state.loaded()?.methods.into_iter().find(|m| m.name == name)
    };
    let streams_requests = move || picked_method().is_some_and(|m| m.client_streaming);
    let docs = move || {
        let loaded = state.loaded()?;
        let method = loaded.schema.method(&state.method.get()?).ok()?;
        Some(template::docs(&method.input()))
    };
    // Stored, so that the handlers below are `Copy` and the views may re-create them.
    let own = StoredValue::new(api.base_url());
    let api = StoredValue::new(api);
    let send = move |_| {
        let (Some(loaded), Some(name)) = (state.loaded(), state.method.get_untracked()) else {
            return;
        };
        let prepared = call::prepare(
            &loaded.schema,
            &name,
            &state.body.get_untracked(),
            &state.metadata.get_untracked(),
            &state.deadline.get_untracked(),
        );
        let prepared = match prepared {
            Ok(p) => p,
            Err(why) => return state.problem.set(Some(why)),
        };
        state.problem.set(None);
        let mode = if state.text_mode.get_untracked() {
            Mode::Text
        } else {
            Mode::Binary
        };
        let client = Client::new(loaded.url.clone()).mode(mode);
        let recorded = api.with_value(|api| {
            api.record(
                &client,
                prepared.streaming,
                prepared.size(),
                prepared.json.len(),
            )
        });
        if prepared.client_streaming {
            recorded.streamed(prepared.messages.len());
        }
        state.exchange.set(Exchange {
            method: name,
            started_ms: js_sys::Date::now(),
            request_frame: prepared.frames(),
            request_json_len: prepared.json.len(),
            ..Exchange::default()
        });
        state.running.set(true);
        let client = recorded.client();
        state.tasks.spawn("call", async move {
            call::run(loaded.schema, client, recorded, prepared, state.exchange).await;
            state.running.set(false);
        });
    };
    let stop = move |_| {
        state.tasks.stop("call");
        state.running.set(false);
        state.exchange.update(|e| {
            if e.end.is_none() {
                e.end = Some(call::stopped(js_sys::Date::now() - e.started_ms));
            }
        });
    };
    let grpcurl = move || {
        let loaded = state.loaded()?;
        let method = state.method.get()?;
        let metadata: Vec<(String, String)> = state.metadata.with(|m| {
            m.lines()
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect()
        });
        let protoset = match &loaded.source {
            Source::File(name) => Some(name.clone()),
            Source::Reflection => None,
        };
        Some(
            Grpcurl {
                server: &loaded.url,
                method: &method,
                body: &state.body.get(),
                metadata: &metadata,
                deadline_ms: state.deadline.with(|d| d.trim().parse().ok()),
                protoset: protoset.as_deref(),
            }
            .command(),
        )
    };
    let link = move || {
        let location = window().location();
        let base = format!(
            "{}{}",
            location.origin().unwrap_or_default(),
            location.pathname().unwrap_or_default()
        );
        let shared = Shared {
            server: Some(state.server.get()).filter(|s| own.with_value(|own| s != own)),
            method: state.method.get(),
            body: Some(state.body.get()),
        };
        format!("{base}{}", share::fragment(&shared))
    };
    let copied = RwSignal::new(None::<bool>);
    let copy = move |_| {
        if let Some(command) = grpcurl() {
            let promise = window().navigator().clipboard().write_text(&command);
            leptos::task::spawn_local(async move {
                let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
                copied.try_set(Some(ok));
            });
        }
    };

    view! {
        <Show when=move || state.loaded().is_some()>
            <div class="card stack" id="explorer-request">
                <label class="field">
                    <span>"Method"</span>
                    <select id="explorer-method" on:change=move |ev| {
                        let name = event_target_value(&ev);
                        if !name.is_empty() { state.pick(&name, None) }
                    }>
                        <option value="" selected=move || state.method.with(Option::is_none)>"Pick a method…"</option>
                        {move || state.loaded().map(|l| l.methods.into_iter().map(|m| {
                            let label = format!("{} · {}{}", m.service, m.method, kind(m.client_streaming, m.server_streaming));
                            let value = m.name.clone();
                            let name = m.name.clone();
                            view! {
                                <option value=value selected=move || state.method.get().as_deref() == Some(name.as_str())>{label}</option>
                            }
                        }).collect_view())}
                    </select>
                </label>
                <Show when=streams_requests>
                    <p id="explorer-request-stream" class="notice">
                        "This method streams requests: write them as a JSON array, sent one by "
                        "one over a WebSocket, then the request stream is closed."
                    </p>
                </Show>
                <Show when=move || state.method.with(Option::is_some)>
                    <div class="explorer-editor">
                        <label class="field">
                            <span>"Request (proto3 JSON)"</span>
                            <textarea id="explorer-body" rows="10" spellcheck="false" class="mono"
                                prop:value=state.body
                                on:input=move |ev| state.body.set(event_target_value(&ev))></textarea>
                        </label>
                        <table class="fields" id="explorer-fields">
                            <thead><tr><th scope="col">"field"</th><th scope="col">"type"</th><th scope="col">"comment"</th></tr></thead>
                            <tbody>
                                {move || docs().unwrap_or_default().into_iter().map(|d| view! {
                                    <tr><td><code>{d.name}</code></td><td class="muted"><code>{d.ty}</code></td><td>{d.comment}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <div class="row wrap">
                        <label class="field grow">
                            <span>"Metadata (one "<code>"key: value"</code>" a line)"</span>
                            <textarea id="explorer-metadata" rows="2" spellcheck="false" class="mono"
                                prop:value=state.metadata
                                on:input=move |ev| state.metadata.set(event_target_value(&ev))></textarea>
                        </label>
                        <label class="field">
                            <span>"Deadline (ms)"</span>
                            <input id="explorer-deadline" type="text" inputmode="numeric" placeholder="none"
                                prop:value=state.deadline
                                on:input=move |ev| state.deadline.set(event_target_value(&ev)) />
                        </label>
                        <label class="field">
                            <span>"Mode"</span>
                            <select id="explorer-mode" on:change=move |ev| state.text_mode.set(event_target_value(&ev) == "text")>
                                <option value="binary" selected>"binary"</option>
                                <option value="text">"text (base64)"</option>
                            </select>
                        </label>
                    </div>
                    <div class="row">
                        <button id="explorer-send" class="btn btn-primary" type="button"
                            disabled=move || state.running.get() on:click=send>"Send"</button>
                        <button id="explorer-stop" class="btn" type="button"
                            disabled=move || !state.running.get() on:click=stop>"Stop"</button>
                        <a id="explorer-share" class="btn btn-quiet" href=link>"Link to this request"</a>
                    </div>
                    {move || state.problem.get().map(|why| view! {
                        <p id="explorer-problem" class="error-panel" role="alert">{why}</p>
                    })}
                    <div class="grpcurl">
                        <div class="row">
                            <h4>"As a grpcurl command"</h4>
                            <button id="explorer-copy" class="btn btn-quiet btn-small" type="button" on:click=copy>"Copy"</button>
                            <span class="muted small" aria-live="polite">{move || match copied.get() {
                                Some(true) => "Copied.",
                                Some(false) => "The browser refused the clipboard: select the text instead.",
                                None => "",
                            }}</span>
                        </div>
                        <pre id="explorer-grpcurl" class="mono">{grpcurl}</pre>
                    </div>
                </Show>
            </div>
        </Show>
    }
}

/// What kind of call a method is, for its label in the picker.
fn kind(client_streaming: bool, server_streaming: bool) -> &'static str {
    match (client_streaming, server_streaming) {
        (false, false) => "",
        (false, true) => " (server stream)",
        (true, false) => " (client stream, not supported)",
        (true, true) => " (bidi, not supported)",
    }
}
