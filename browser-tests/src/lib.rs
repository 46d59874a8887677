//! Nothing but a home for the browser suites in `tests/`: see this crate's README for how
//! to run them (`cargo xtask test --only browser`, or one suite by hand with `wasm-pack test`).
