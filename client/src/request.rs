//! [`Request`]: a message with its per-call options, and [`IntoRequest`].

use std::time::Duration;

use web_sys::AbortSignal;

use crate::protocol::metadata::MetadataMap;

/// A request message with its per-call options: metadata sent as headers, a deadline, and
/// a cancellation signal.
///
/// ```
/// use std::time::Duration;
/// use grpc_web_wasm::Request;
/// use proto::demo::v1::UserRequest;
///
/// let mut request = Request::new(UserRequest { user_id: 1 });
/// request.metadata_mut().insert("x-request-id", "42").unwrap();
/// request.set_timeout(Duration::from_secs(2));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Request<T> {
    pub(crate) message: T,
    pub(crate) metadata: MetadataMap,
    pub(crate) timeout: Option<Duration>,
    pub(crate) signals: Vec<AbortSignal>,
}

impl<T> Request<T> {
    /// A request with no metadata, the client's default deadline, and no signal.
    pub fn new(message: T) -> Request<T> {
        Request {
            message,
            metadata: MetadataMap::new(),
            timeout: None,
            signals: Vec::new(),
        }
    }

    /// The message.
    pub fn get_ref(&self) -> &T {
        &self.message
    }

    /// The message, for changing.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.message
    }

    /// The metadata to send.
    pub fn metadata(&self) -> &MetadataMap {
        &self.metadata
    }

    /// The metadata to send, for adding entries.
    pub fn metadata_mut(&mut self) -> &mut MetadataMap {
        &mut self.metadata
    }

    /// Sets this call's deadline, overriding the client's default. It is sent to the server
    /// as `grpc-timeout` and enforced here: when it passes, the request is aborted and the
    /// call fails with `DEADLINE_EXCEEDED`.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = Some(timeout);
    }

    /// This call's own deadline, if set.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Cancels the call when `signal` aborts (`CANCELLED`); see also
    /// [`CancelHandle`](crate::CancelHandle). Given several signals, the first to abort
    /// cancels it.
    pub fn set_signal(&mut self, signal: AbortSignal) {
        self.signals.push(signal);
    }

    /// The message, dropping the options.
    pub fn into_inner(self) -> T {
        self.message
    }

    /// The same options with the message transformed.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Request<U> {
        Request {
            message: f(self.message),
            metadata: self.metadata,
            timeout: self.timeout,
            signals: self.signals,
        }
    }
}

/// Something that can be sent as a request: a bare message or a [`Request`]. Sealed: only
/// this crate implements it.
///
/// ```compile_fail,E0277
/// use grpc_web_wasm::{IntoRequest, Request};
///
/// struct Mine;
/// impl IntoRequest<u32> for Mine {
///     fn into_request(self) -> Request<u32> {
///         Request::new(1)
///     }
/// }
/// ```
pub trait IntoRequest<T>: crate::sealed::IntoRequest<T> {
    /// Wraps or unwraps into a [`Request`].
    fn into_request(self) -> Request<T>;
}

impl<T: prost::Message> IntoRequest<T> for T {
    fn into_request(self) -> Request<T> {
        Request::new(self)
    }
}

impl<T> IntoRequest<T> for Request<T> {
    fn into_request(self) -> Request<T> {
        self
    }
}
