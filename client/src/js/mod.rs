//! The npm package's JavaScript API (feature `js`): wasm-bindgen exports over the same
//! call machinery as the Rust API, and calls encoded from descriptors rather than
//! generated code. `schema` and `reflection` are pure and tested natively; the rest is the
//! thin edge to JavaScript.

mod client;
mod dynamic;
mod interop;
mod reflection;
mod schema;
mod send;
mod stream;

use wasm_bindgen::prelude::*;

/// The TypeScript types the exported functions refer to, and `GrpcError`.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");
