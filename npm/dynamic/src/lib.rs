//! The npm package's second wasm module, `grpc-web-wasm/dynamic` (`cargo xtask npm`):
//! nothing of its own. `DynamicClient` is grpc-web-wasm's feature `js-dynamic`
//! (`client/src/js/dynamic.rs`); it is a module apart from the core (`../`) because
//! descriptors, reflection and proto3 JSON weigh several times the core.

pub use grpc_web_wasm;
