//! The gRPC services this server implements, one module each.

pub mod chat;
mod converse;
pub mod details;
pub mod interop;
pub mod scores;
pub mod telemetry;
pub mod users;

use std::pin::Pin;

use futures_util::Stream;
use tonic::Status;

/// The response stream type every server-streaming method here returns.
pub type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;
