//! Where the Explorer's schema comes from: the server field with its Connect (reflection),
//! the drop zone for a descriptor set file, and what was loaded, or why not.

use leptos::prelude::*;

use super::connect::Source;
use super::share::Shared;
use super::{Conn, State};

/// The server field, Connect, and the drop zone for a descriptor set file.
#[component]
pub fn SourcePanel(state: State) -> impl IntoView {
    let connect = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        state.connect(
            state.server.get_untracked().trim().to_string(),
            Shared::default(),
        );
    };
    let picked = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            state.open_file(file);
        }
    };
    let dropped = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        let file = ev
            .data_transfer()
            .and_then(|t| t.files())
            .and_then(|files| files.get(0));
        if let Some(file) = file {
            state.open_file(file);
        }
    };
    view! {
        <div class="card stack">
            <form class="row wrap" on:submit=connect>
                <label class="field grow">
                    <span>"Server (gRPC-Web base URL)"</span>
                    <input id="explorer-server" type="url" prop:value=state.server
                        on:input=move |ev| state.server.set(event_target_value(&ev)) />
                </label>
                <button id="explorer-connect" class="btn btn-primary" type="submit">
                    "List by reflection"
                </button>
            </form>
            <label class="dropzone" on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default()
                on:drop=dropped>
                <span>"No reflection on the server? Drop a descriptor set here, or pick one "</span>
                <input id="explorer-file" type="file" accept=".binpb,.pb,.protoset,.desc,.bin"
                    on:change=picked />
                <span class="muted small">
                    "("<code>"protoc --include_imports --descriptor_set_out=FILE"</code>
                    " or "<code>"buf build -o FILE"</code>")"
                </span>
            </label>
            <p id="explorer-source" class="status-line" aria-live="polite">
                {move || match state.conn.get() {
                    Conn::Idle => "Not connected.".to_string(),
                    Conn::Loading(url) => format!("Asking {url} for its services…"),
                    Conn::Ready(l) => {
                        let services = l.methods.iter().map(|m| &m.service).collect::<std::collections::BTreeSet<_>>().len();
                        let from = match &l.source {
                            Source::Reflection => format!("by reflection from {}", l.url),
                            Source::File(name) => format!("from {name}, calling {}", l.url),
                        };
                        format!("{services} services, {} methods, {from}", l.methods.len())
                    }
                    Conn::Failed(_) => "Could not list the services.".to_string(),
                }}
            </p>
            {move || match state.conn.get() {
                Conn::Failed(why) => Some(view! {
                    <p id="explorer-error" class="error-panel" role="alert">{why}</p>
                }),
                _ => None,
            }}
        </div>
    }
}
