//! The npm package's JavaScript API (feature `js`): wasm-bindgen exports over the same
//! call machinery as the Rust API, and calls encoded from descriptors rather than
//! generated code. `schema` and `reflection` are pure and tested natively; the rest is the
//! thin edge to JavaScript. With feature `dynamic` alone, only the pure part is built, for
//! Rust users (`crate::dynamic`).

#[cfg(feature = "js")]
mod client;
#[cfg(feature = "js")]
mod duplex;
#[cfg(feature = "js")]
mod dynamic;
#[cfg(feature = "js")]
mod interop;
pub(crate) mod reflection;
#[cfg(feature = "js")]
mod retry;
pub(crate) mod schema;
#[cfg(feature = "js")]
mod send;
#[cfg(feature = "js")]
mod stream;

#[cfg(feature = "js")]
use wasm_bindgen::prelude::*;

/// The TypeScript types the exported functions refer to, and `GrpcError`.
#[cfg(feature = "js")]
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");
