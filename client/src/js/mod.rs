//! The npm package's JavaScript API: wasm-bindgen exports over the same call machinery as
//! the Rust API. Two wasm modules are built from it, so that a page pays only for what it
//! imports: the core (feature `js`: `GrpcWebClient` over bytes) and `DynamicClient`
//! (feature `js-dynamic`: calls encoded from descriptors, prost-reflect and proto3 JSON).
//! Both share `js-base` (options, streams, WebSocket calls, `GrpcError`). `schema` and
//! `reflection` are pure and tested natively; with feature `dynamic` alone, only they are
//! built, for Rust users (`crate::dynamic`).

// `js-base` alone builds the shared machinery with nothing exported to use it.
#![cfg_attr(
    not(any(feature = "js", feature = "js-dynamic")),
    allow(dead_code, unused_imports)
)]

#[cfg(feature = "js")]
mod batch;
#[cfg(feature = "js")]
mod client;
#[cfg(feature = "js-base")]
mod duplex;
#[cfg(feature = "js-dynamic")]
mod dynamic;
#[cfg(feature = "js-base")]
mod interop;
#[cfg(feature = "js-base")]
mod options;
#[cfg(feature = "dynamic")]
pub(crate) mod reflection;
#[cfg(feature = "js-base")]
mod retry;
#[cfg(feature = "dynamic")]
pub(crate) mod schema;
#[cfg(feature = "js-base")]
mod send;
#[cfg(feature = "js-dynamic")]
mod setup;
#[cfg(feature = "js-base")]
mod stream;

#[cfg(any(feature = "js", feature = "js-dynamic"))]
use wasm_bindgen::prelude::*;

/// The TypeScript types the core's exports refer to, and `GrpcError`.
#[cfg(feature = "js")]
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

/// The types of `DynamicClient`, which imports the core's from the core's module.
#[cfg(feature = "js-dynamic")]
#[wasm_bindgen(typescript_custom_section)]
const DYNAMIC_TYPES: &str = include_str!("dynamic.d.ts");
