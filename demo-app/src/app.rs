//! The shell: header with the page navigation, the current page, and the inspector.

use leptos::prelude::*;

use crate::api::Api;
use crate::inspector::{Calls, Inspector};
use crate::pages::{
    chat::ChatPage, explorer::ExplorerPage, not_found::NotFoundPage, scores::ScoresPage,
    users::UsersPage,
};
use crate::route::{self, Route};

/// The demo, calling the gRPC-Web server at `server` (a base URL).
#[component]
pub fn App(server: String) -> impl IntoView {
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
                    {move || match route.get() {
                        Route::Users => view! { <UsersPage /> }.into_any(),
                        Route::Scores => view! { <ScoresPage /> }.into_any(),
                        Route::Chat => view! { <ChatPage /> }.into_any(),
                        Route::Explorer => view! { <ExplorerPage /> }.into_any(),
                        Route::NotFound => view! { <NotFoundPage /> }.into_any(),
                    }}
                </main>
                <Show when=move || inspector_open.get()>
                    <Inspector calls />
                </Show>
            </div>
            <footer class="footer muted small">
                "Rust compiled to WebAssembly speaking gRPC-Web over fetch · "
                <a href="https://grpc.io/docs/platforms/web/">"gRPC-Web"</a>
            </footer>
        </div>
    }
}
