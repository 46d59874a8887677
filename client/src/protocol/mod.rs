//! The gRPC-Web protocol, free of any browser API: it compiles and is tested natively.
//!
//! Data flows one way: a request message is [framed](request::body); a reply's
//! [head](response::check_head) is classified, then its body chunks go through a
//! [`BodyDecoder`](body::BodyDecoder) that yields messages and the [trailers], from which
//! the [`Status`](status::Status) is read.

pub mod base64;
pub mod body;
pub mod compression;
pub mod details;
pub mod frame;
pub mod lossy;
pub mod metadata;
pub mod quoted;
pub mod request;
pub mod response;
pub mod status;
pub mod text;
pub mod timeout;
pub mod trailers;
