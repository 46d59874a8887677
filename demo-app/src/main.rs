//! The demo UI: look up a user by id through the gRPC-Web client.

#[cfg(target_arch = "wasm32")]
mod app;

#[cfg(target_arch = "wasm32")]
fn main() {
    leptos::mount::mount_to_body(app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("demo-app runs in the browser: build it with `cargo xtask demo`");
}
