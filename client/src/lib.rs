//! A gRPC-Web client for the browser, written in Rust and compiled to WebAssembly.
//!
//! It speaks gRPC-Web itself over the browser's `fetch`: requests are length-prefixed
//! protobuf frames, and replies are read as a stream, frame by frame, up to the trailer
//! frame that carries the status. Messages are [prost](https://docs.rs/prost) types.
//!
//! ```no_run
//! use std::time::Duration;
//! use grpc_web_wasm::{Client, Code, Request, Status};
//! # use proto::demo;
//! // Your prost messages, from your .proto files (see grpc-web-wasm-build).
//! use demo::v1::{ListUsersRequest, UserRequest, UserResponse};
//!
//! /// The name of user 1 (or `None` if there is no such user), then every user's.
//! async fn names() -> Result<(Option<String>, Vec<String>), Status> {
//!     let client = Client::new("http://127.0.0.1:50051").timeout(Duration::from_secs(10));
//!
//!     // Unary, with metadata and a deadline of its own.
//!     let mut request = Request::new(UserRequest { user_id: 1 });
//!     request.metadata_mut().insert("x-request-id", "abc")?;
//!     request.set_timeout(Duration::from_secs(2));
//!     let first = match client
//!         .unary::<_, UserResponse>("/demo.v1.UserService/GetUser", request)
//!         .await
//!     {
//!         Ok(reply) => Some(reply.into_inner().name),
//!         Err(status) if status.code() == Code::NotFound => None,
//!         Err(status) => return Err(status),
//!     };
//!
//!     // Server streaming: messages as they arrive; dropping the stream cancels the call.
//!     let mut users = client
//!         .server_streaming::<_, UserResponse>(
//!             "/demo.v1.UserService/ListUsers",
//!             ListUsersRequest::default(),
//!         )
//!         .await?;
//!     let mut all = Vec::new();
//!     while let Some(user) = users.message().await? {
//!         all.push(user.name);
//!     }
//!     Ok((first, all))
//! }
//! ```
//!
//! What it covers:
//! - binary and text ([`Mode::Text`]) modes, per-message gzip ([`Compression`]);
//! - status with every code, `grpc-message` decoding, and rich details
//!   ([`Status::detail`]); replies that are not gRPC-Web (a proxy's 502 page) keep their HTTP
//!   status and a body excerpt;
//! - request metadata (ASCII and `-bin`), response headers and trailers;
//! - deadlines sent as `grpc-timeout` and enforced locally; cancellation by dropping, by
//!   [`CancelHandle`] or by any `AbortSignal`;
//! - [`Interceptor`]s; `fetch` credentials mode, default headers, a base URL with a path;
//! - retries and hedging as gRFC A6 prescribes ([`Client::retry_policy`],
//!   [`Client::method_policy`], [`Client::retry_throttling`], gRPC service configs with the
//!   feature `service-config`), decided by the pure [`protocol::retry`];
//! - limits on by default (4 MiB messages both ways, 64 KiB of headers and of trailers),
//!   checked before anything is allocated;
//! - windows and workers alike (only the global `fetch` and timers are used).
//!
//! Most applications call through **generated clients** instead of method paths: the
//! `grpc-web-wasm-build` crate (in `codegen/`) writes a typed client per service from the
//! `.proto` files, next to the prost messages, from a `build.rs` and without `protoc`
//! (`UserServiceClient::new(client).get_user(request)`). Projects that already have
//! tonic-generated clients can keep them: with the feature `tonic`,
//! `tonic::GrpcWebService` runs them over this client. Both are shown end to end in the
//! crate's README.
//!
//! The crate is in two layers: [`protocol`] is the pure gRPC-Web wire format (no browser
//! APIs, tested natively), and a thin transport moves its bytes through `fetch`.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `gzip` | yes | per-message gzip both ways ([`Compression::Gzip`]; pure Rust, flate2 on miniz_oxide). Without it (or `browser-gzip`), compressed replies fail with `INTERNAL` and no compression is offered; the wasm is smaller. |
//! | `browser-gzip` | no | per-message gzip through the browser's own codec (`CompressionStream` / `DecompressionStream`): about 2 KB gzipped in the npm core instead of flate2's 40, for `default-features = false` builds. Inflating is asynchronous and stops once a message passes the receive limit, as flate2's does. With `gzip` on too, flate2 is used. |
//! | `detailed-errors` | yes | error messages that name the values involved (the URL and JS error of a failed `fetch`, sizes against limits, content types). Without it each kind of failure has a short fixed message; codes, metadata and every decision are the same, and the wasm is about 4 KB (gzipped) smaller. |
//! | `text-mode` | yes | [`Mode::Text`] (`application/grpc-web-text`). Without it a call or reply in text mode fails with `UNIMPLEMENTED`, and the base64 code is left out. |
//! | `tonic` | no | [`tonic::GrpcWebService`]: tonic-generated clients over this crate's transport (tonic without its own transport). Needs Rust 1.88, as tonic 0.14.9 does. |
//! | `dynamic` | no | [`dynamic`]: calls without generated code: schemas from descriptor sets or server reflection, proto3 JSON to protobuf and back (prost-reflect, serde). |
//! | `js` | no | the npm package's core JavaScript API (wasm-bindgen exports: `GrpcWebClient`, `GrpcError`). For the package's own build, not for Rust applications. |
//! | `js-dynamic` | no | the npm package's second module, `DynamicClient`; enables `dynamic`. Built apart from `js`, so pages that use only the core never load it. |
//! | `js-base` | no | what `js` and `js-dynamic` share; enabled by either. Enables `browser-gzip`. |
//!
//! # Threads
//!
//! WebAssembly in the browser runs on one thread, and a call holds JavaScript objects
//! (the `fetch` promise, the body reader, the abort controller), so the futures this crate
//! returns and [`Streaming`] are `!Send`: spawn them with `wasm_bindgen_futures::spawn_local`
//! (or your framework's equivalent, e.g. Leptos' `spawn_local`), not with a `Send` executor.

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod call;
mod cancel;
mod client;
mod duplex;
mod header;
mod interceptor;
// The descriptor and JSON code is pure; feature `dynamic` builds it without the npm
// package's wasm-bindgen exports (features `js` and `js-dynamic`).
#[cfg(any(feature = "dynamic", feature = "js-base"))]
// Its `pub` types are wasm-bindgen exports: public to JavaScript, never reachable from Rust,
// and no Rust caller would see their `Debug`.
#[allow(unreachable_pub, missing_debug_implementations)]
mod js;
pub mod protocol;
mod request;
mod response;
mod retry;
mod sealed;
mod streaming;
#[cfg(feature = "tonic")]
#[cfg_attr(docsrs, doc(cfg(feature = "tonic")))]
pub mod tonic;
mod transport;

/// Calls without generated code (feature `dynamic`): message schemas from descriptors (a
/// `FileDescriptorSet`, or a server's reflection service walked with [`dynamic::Discovery`]),
/// and messages converted between proto3 JSON and protobuf bytes. The same code the npm
/// package's `DynamicClient` runs on; make the calls with [`Client::unary_raw`] and
/// [`Client::server_streaming_raw`].
#[cfg(feature = "dynamic")]
#[cfg_attr(docsrs, doc(cfg(feature = "dynamic")))]
pub mod dynamic {
    pub use crate::js::reflection::{Discovery, Query, PATHS as REFLECTION_PATHS};
    pub use crate::js::schema::{decode, encode, JsonOptions, Method, Schema};
}

pub use cancel::CancelHandle;
pub use client::{Client, Credentials, Mode};
pub use duplex::IntoStreamingRequest;
pub use header::InvalidHeader;
pub use interceptor::{AttemptEnd, CallEnd, Interceptor, RequestHead};
pub use protocol::compression::Compression;
pub use protocol::details::RpcStatus;
pub use protocol::limits::Limits;
pub use protocol::metadata::{InvalidMetadata, MetadataMap};
pub use protocol::status::{Code, Status};
pub use request::{IntoRequest, Request};
pub use response::Response;
pub use streaming::Streaming;

/// Re-exported so callers can name the stream trait without a direct dependency.
pub use futures_core::Stream;
