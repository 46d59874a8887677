//! What an unknown fragment shows: that the page does not exist, and the way to those that do.

use leptos::prelude::*;

use crate::route::Route;

/// The page for a fragment that names no page.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let hash = window().location().hash().unwrap_or_default();
    view! {
        <section class="page" aria-labelledby="not-found-title">
            <header class="page-head">
                <h1 id="not-found-title">"Page not found"</h1>
                <p class="lede">
                    "There is no page at "<code>{hash}</code>". The demo has these:"
                </p>
            </header>
            <ul class="card not-found-links">
                {Route::ALL.into_iter().map(|r| view! {
                    <li><a href=r.href()>{r.title()}</a></li>
                }).collect_view()}
            </ul>
        </section>
    }
}
