//! Seals for [`IntoRequest`](crate::IntoRequest) and
//! [`IntoStreamingRequest`](crate::IntoStreamingRequest), as tonic seals its own: the
//! traits are for naming in bounds (generated clients take `impl IntoRequest<T>`), and
//! only this crate implements them, so new conversions are not breaking changes.

use futures_core::Stream;

/// Implemented for what [`IntoRequest`](crate::IntoRequest) is implemented for.
pub trait IntoRequest<T> {}

impl<T: prost::Message> IntoRequest<T> for T {}
impl<T> IntoRequest<T> for crate::Request<T> {}

/// Implemented for what [`IntoStreamingRequest`](crate::IntoStreamingRequest) is
/// implemented for.
pub trait IntoStreamingRequest {}

impl<S: Stream + 'static> IntoStreamingRequest for S {}
impl<S: Stream + 'static> IntoStreamingRequest for crate::Request<S> {}
