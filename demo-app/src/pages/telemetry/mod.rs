//! Telemetry: the browser streams samples to the server on one client-streaming call
//! (`Record`) and gets their summary when it stops; and a round-trip meter on one bidi call
//! (`Echo`). Both go over a WebSocket, as `fetch` cannot stream a request.

mod echo;
mod record;

use leptos::prelude::*;

/// The Telemetry page.
#[component]
pub fn TelemetryPage() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="telemetry-title">
            <header class="page-head">
                <h1 id="telemetry-title">"Telemetry"</h1>
                <p class="lede">
                    "Client streaming "<code>"demo.v1.TelemetryService/Record"</code>
                    " sends samples as they happen and gets a summary when you stop; bidi "
                    <code>"Echo"</code>" times round trips on one open stream."
                </p>
            </header>
            <div class="grid-2">
                <record::Recorder />
                <echo::Meter />
            </div>
        </section>
    }
}

/// The page's clock, in milliseconds, finer than `Date.now()`.
fn now_ms() -> f64 {
    window()
        .performance()
        .map_or_else(js_sys::Date::now, |p| p.now())
}
