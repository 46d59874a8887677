//! The demo UI: look up a user by id through the gRPC-Web client.
//!
//! A library, so that the browser tests can mount [`App`] against a server of their own;
//! `main.rs` mounts it on the page trunk builds.

#[cfg(target_arch = "wasm32")]
mod app;

#[cfg(target_arch = "wasm32")]
pub use app::App;
