//! The gRPC-Web protocol, free of any browser API: it compiles and is tested natively.
//!
//! Data flows one way: a request message is [framed](request::body); a reply's head and
//! body chunks go through one [`ReplyDecoder`](reply::ReplyDecoder), which yields the
//! messages and then exactly one end, the trailers or a [`Status`](status::Status). Inside
//! it, a [`BodyDecoder`](body::BodyDecoder) turns chunks into frames (text mode, limits,
//! compression) and [trailers] are parsed into [metadata].
//!
//! It is public as a reusable core (another transport, a fuzzer, a proxy can build on it)
//! and follows semver like the rest of the crate; size-driven helpers (base64, lossy UTF-8,
//! quoting) are private and may change in any release.

// Size-driven internals (our own base64, lossy UTF-8, quoting for messages): not part of
// the public surface, so they may change in any release.
pub(crate) mod ascii;
pub(crate) mod base64;
pub mod body;
pub mod compression;
pub mod content_type;
pub(crate) mod detail;
pub mod details;
pub mod frame;
pub mod limits;
pub(crate) mod lossy;
pub mod metadata;
pub(crate) mod quoted;
pub mod reply;
pub mod request;
pub mod retry;
pub mod status;
mod status_from;
pub mod text;
pub mod timeout;
pub mod trailers;
pub mod websocket;
