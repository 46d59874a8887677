//! The Explorer: grpcurl in the browser (in progress).

use leptos::prelude::*;

/// The Explorer page.
#[component]
pub fn ExplorerPage() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="explorer-title">
            <header class="page-head">
                <h1 id="explorer-title">"Explorer"</h1>
            </header>
        </section>
    }
}
