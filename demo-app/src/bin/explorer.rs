//! The Explorer's bundle (`explorer.html`, served at `explorer/`): the app with the Explorer
//! page, which the main bundle leaves out to stay small (see `app.rs`).

#[cfg(target_arch = "wasm32")]
fn main() {
    use demo_app::{App, ExplorerPage};
    use leptos::prelude::*;
    // The page and the gRPC-Web API share an origin (`cargo xtask demo`).
    let origin = window().location().origin().unwrap_or_default();
    leptos::mount::mount_to_body(move || {
        view! { <App server=origin.clone() explorer=ViewFn::from(|| view! { <ExplorerPage /> }) /> }
    });
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("demo-app runs in the browser: build and serve it with `cargo xtask demo`");
}
