//! The demo UI: users (unary calls, rich errors, a streamed list), live scores (a server
//! stream with start and stop), chat (two streams meeting in a room), and an inspector
//! showing every call on the wire.
//!
//! A library, so that the browser tests can mount [`App`] against a server of their own;
//! `main.rs` mounts it on the page trunk builds.

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod failure;
#[cfg(target_arch = "wasm32")]
mod inspector;
#[cfg(target_arch = "wasm32")]
mod json;
#[cfg(target_arch = "wasm32")]
mod pages;
#[cfg(target_arch = "wasm32")]
mod route;
#[cfg(target_arch = "wasm32")]
mod tasks;

#[cfg(target_arch = "wasm32")]
pub use app::App;
/// The Explorer page, for the Explorer's own bundle (`src/bin/explorer.rs`).
#[cfg(target_arch = "wasm32")]
pub use pages::explorer::ExplorerPage;
