#[cfg(target_arch = "wasm32")]
fn main() {
    use leptos::prelude::*;
    // The page and the gRPC-Web API share an origin (`cargo xtask demo`).
    let origin = window().location().origin().unwrap_or_default();
    leptos::mount::mount_to_body(move || view! { <demo_app::App server=origin.clone() /> });
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("demo-app runs in the browser: build and serve it with `cargo xtask demo`");
}
