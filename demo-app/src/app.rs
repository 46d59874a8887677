//! The shell: header with the page navigation, the current page, and the inspector.
//!
//! The Explorer is a bundle of its own (`explorer.html`, served at `explorer/`): its
//! descriptors and JSON code (prost-reflect, serde) would more than double what every other
//! page loads. Each bundle sends the other's routes to the other, keeping the fragment.

use leptos::prelude::*;

use crate::api::Api;
use crate::inspector::{Calls, Inspector};
use crate::pages::{
    chat::ChatPage, not_found::NotFoundPage, scores::ScoresPage, telemetry::TelemetryPage,
    users::UsersPage,
};
use crate::route::{self, Route};

/// The demo, calling the gRPC-Web server at `server` (a base URL). `explorer` is the
/// Explorer page, given only by the Explorer's bundle (`src/bin/explorer.rs`).
#[component]
pub fn App(server: String, #[prop(optional, into)] explorer: Option<ViewFn>) -> impl IntoView {
    let in_explorer_bundle = explorer.is_some();
    let calls = Calls::new();
    provide_context(Api::new(server, calls));
    let route = route::current();
    let (inspector_open, set_inspector_open) = signal(true);

    Effect::new(move |_| {
        document().set_title(&format!("{} · grpc-web-wasm demo", route.get().title()));
    });

    view! {
        <div class="shell">
            <a class="skip-link" href="#page">"Skip to content"</a>
            <header class="topbar">
                <div class="brand">
                    <span class="logo" aria-hidden="true">"⇄"</span>
                    <span id="title">"grpc-web-wasm demo"</span>
                </div>
                <nav aria-label="Pages" class="tabs">
                    {Route::ALL.into_iter().map(|r| view! {
                        <a href=r.href() class="tab" id=format!("nav-{}", &r.href()[2..])
                            aria-current=move || (route.get() == r).then_some("page")>
                            {r.title()}
                        </a>
                    }).collect_view()}
                </nav>
                <button type="button" class="btn btn-quiet inspector-toggle"
                    aria-controls="inspector" aria-expanded=move || inspector_open.get().to_string()
                    on:click=move |_| set_inspector_open.update(|o| *o = !*o)>
                    "Inspector"
                </button>
            </header>
            <div class="layout" class:with-inspector=inspector_open>
                <main id="page" tabindex="-1">
                    {move || match (route.get(), &explorer) {
                        (Route::Explorer, Some(page)) => page.run(),
                        (Route::Explorer, None) => view! { <Elsewhere path="explorer/" /> }.into_any(),
                        (_, Some(_)) => view! { <Elsewhere path="../" /> }.into_any(),
                        (Route::Users, None) => view! { <UsersPage /> }.into_any(),
                        (Route::Scores, None) => view! { <ScoresPage /> }.into_any(),
                        (Route::Chat, None) => view! { <ChatPage /> }.into_any(),
                        (Route::Telemetry, None) => view! { <TelemetryPage /> }.into_any(),
                        (Route::NotFound, None) => view! { <NotFoundPage /> }.into_any(),
                    }}
                </main>
                <Show when=move || inspector_open.get()>
                    <Inspector calls />
                </Show>
            </div>
            <footer class="footer muted small" data-bundle=if in_explorer_bundle { "explorer" } else { "main" }>
                "Rust compiled to WebAssembly speaking gRPC-Web over fetch and WebSockets · "
                <a href="https://grpc.io/docs/platforms/web/">"gRPC-Web"</a>
            </footer>
        </div>
    }
}

/// A page the other bundle shows: goes there (`path`, relative to this bundle), keeping the
/// fragment, without leaving a history entry for the detour. Served some other way than
/// `cargo xtask demo` does (`trunk serve` serves one bundle, and answers every path with it),
/// the other bundle is not there: then it says so rather than going round in circles.
#[component]
fn Elsewhere(path: &'static str) -> impl IntoView {
    let location = window().location();
    let hash = location.hash().unwrap_or_default();
    let in_explorer_dir = location.pathname().is_ok_and(|p| p.ends_with("/explorer/"));
    let there = if path == "../" {
        in_explorer_dir
    } else {
        !in_explorer_dir
    };
    if there {
        let _ = location.replace(&format!("{path}{hash}"));
        return view! {
            <p class="loading"><span class="spinner" aria-hidden="true"></span>"Loading…"</p>
        }
        .into_any();
    }
    view! {
        <p class="notice" id="elsewhere">
            "This page is in the demo's other bundle (the Explorer is built apart so that the "
            "other pages load less), which this server does not serve. "<code>"cargo xtask demo"</code>
            " serves both."
        </p>
    }
    .into_any()
}
