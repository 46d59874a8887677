//! The npm package's core wasm module (`cargo xtask npm`): nothing of its own. The
//! JavaScript API is grpc-web-wasm's feature `js` (`client/src/js/`); linking the crate here
//! brings its wasm-bindgen exports into this cdylib, so Rust users of `grpc-web-wasm` never
//! build one. `DynamicClient` is a module of its own (`dynamic/`).

pub use grpc_web_wasm;
