//! A gRPC-Web client for the browser, written in Rust and compiled to WebAssembly.
//!
//! It speaks gRPC-Web itself over the browser's `fetch`: requests are length-prefixed
//! protobuf frames, and replies are read as a stream, frame by frame, up to the trailer
//! frame that carries the status. Messages are [prost](https://docs.rs/prost) types.
//!
//! ```no_run
//! use std::time::Duration;
//! use grpc_web_wasm::{Client, Code, Request};
//! use proto::demo::v1::{ListUsersRequest, UserRequest, UserResponse};
//!
//! # async fn run() -> Result<(), grpc_web_wasm::Status> {
//! let client = Client::new("http://127.0.0.1:50051").timeout(Duration::from_secs(10));
//!
//! // Unary, with metadata and a deadline of its own.
//! let mut request = Request::new(UserRequest { user_id: 1 });
//! request.metadata_mut().insert("x-request-id", "abc").unwrap();
//! request.set_timeout(Duration::from_secs(2));
//! match client
//!     .unary::<_, UserResponse>("/demo.v1.UserService/GetUser", request)
//!     .await
//! {
//!     Ok(reply) => println!("hello, {}", reply.get_ref().name),
//!     Err(status) if status.code() == Code::NotFound => println!("{}", status.message()),
//!     Err(status) => return Err(status),
//! }
//!
//! // Server streaming: messages as they arrive; dropping the stream cancels the call.
//! let mut users = client
//!     .server_streaming::<_, UserResponse>("/demo.v1.UserService/ListUsers", ListUsersRequest::default())
//!     .await?;
//! while let Some(user) = users.message().await? {
//!     println!("{}", user.name);
//! }
//! # Ok(())
//! # }
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

#![warn(missing_docs)]

mod call;
mod cancel;
mod client;
mod duplex;
mod interceptor;
// The descriptor and JSON code is pure; feature `dynamic` builds it without the npm
// package's wasm-bindgen exports, which need feature `js` (it enables `dynamic`).
#[cfg(feature = "dynamic")]
mod js;
pub mod protocol;
mod request;
mod response;
mod retry;
mod streaming;
#[cfg(feature = "tonic")]
pub mod tonic;
mod transport;

/// Calls without generated code (feature `dynamic`): message schemas from descriptors (a
/// `FileDescriptorSet`, or a server's reflection service walked with [`dynamic::Discovery`]),
/// and messages converted between proto3 JSON and protobuf bytes. The same code the npm
/// package's `DynamicClient` runs on; make the calls with [`Client::unary_raw`] and
/// [`Client::server_streaming_raw`].
#[cfg(feature = "dynamic")]
pub mod dynamic {
    pub use crate::js::reflection::{Discovery, Query, PATHS as REFLECTION_PATHS};
    pub use crate::js::schema::{decode, encode, JsonOptions, Method, Schema};
}

pub use cancel::CancelHandle;
pub use client::{Client, Credentials, Mode};
pub use duplex::IntoStreamingRequest;
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
