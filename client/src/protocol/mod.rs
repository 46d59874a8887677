//! The gRPC-Web protocol, free of any browser API: it compiles and is tested natively.
//!
//! Data flows one way: a request message is [framed](request::body); a reply's head and
//! body chunks go through one [`ReplyDecoder`](reply::ReplyDecoder), which yields the
//! messages and then exactly one end, the trailers or a [`Status`](status::Status). Inside
//! it, a [`BodyDecoder`](body::BodyDecoder) turns chunks into frames (text mode, limits,
//! compression) and [trailers] are parsed into [metadata].

pub mod base64;
pub mod body;
pub mod compression;
pub mod content_type;
pub mod details;
pub mod frame;
pub mod limits;
pub mod lossy;
pub mod metadata;
pub mod quoted;
pub mod reply;
pub mod request;
pub mod retry;
pub mod status;
pub mod text;
pub mod timeout;
pub mod trailers;
pub mod websocket;
