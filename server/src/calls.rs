//! Per-call bounds, enforced in one place for every gRPC method, unary or streaming:
//!
//! - the client's `grpc-timeout`: `DEADLINE_EXCEEDED` when it passes, whether before the
//!   response headers or in the middle of a stream;
//! - the server's request timeout: a limit on producing the response headers only, so it
//!   covers a whole unary call but never cuts a long stream short;
//! - shutdown: open streams end at once with `UNAVAILABLE`, so graceful shutdown is not held
//!   up by streams that would run forever;
//! - the interop test metadata (`x-grpc-test-echo-initial` back as a header,
//!   `x-grpc-test-echo-trailing-bin` back as a trailer) for `grpc.testing` methods.
//!
//! It sits inside the gRPC-Web translation, so a status it adds reaches browsers as a
//! normal trailer frame (and passes CORS).
//!
//! tonic's own server also applies `grpc-timeout`, outside every layer, but answers
//! `CANCELLED` and without CORS headers. This layer's clock for the headers therefore
//! stops one millisecond early: timers have millisecond ticks and tonic polls the inner
//! future first, so this layer's answer wins.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, HeaderValue};
use http_body::Body;
use pin_project_lite::pin_project;
use tokio::time::{Instant, Sleep};
use tokio_util::sync::CancellationToken;
use tonic::Status;
use tower::{Layer, Service};

mod body;

pub use body::BoundedBody;

/// Boxed error of a response body.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

const ECHO_INITIAL: HeaderName = HeaderName::from_static("x-grpc-test-echo-initial");
const ECHO_TRAILING: HeaderName = HeaderName::from_static("x-grpc-test-echo-trailing-bin");
/// Methods whose test metadata is echoed.
const ECHO_PREFIX: &str = "/grpc.testing.";

/// Adds [`CallBounds`] to a service.
#[derive(Debug, Clone)]
pub struct CallBoundsLayer {
    request_timeout: Duration,
    shutdown: CancellationToken,
}

impl CallBoundsLayer {
    /// Bounds with the server's `request_timeout`; streams end when `shutdown` is cancelled.
    pub fn new(request_timeout: Duration, shutdown: CancellationToken) -> Self {
        CallBoundsLayer {
            request_timeout,
            shutdown,
        }
    }
}

impl<S> Layer<S> for CallBoundsLayer {
    type Service = CallBounds<S>;

    fn layer(&self, inner: S) -> CallBounds<S> {
        CallBounds {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`CallBoundsLayer`] makes.
#[derive(Debug, Clone)]
pub struct CallBounds<S> {
    inner: S,
    layer: CallBoundsLayer,
}

impl<S, ReqBody, ResBody> Service<http::Request<ReqBody>> for CallBounds<S>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
    ResBody: Body<Data = Bytes>,
    ResBody::Error: Into<BoxError>,
{
    type Response = http::Response<BoundedBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        let start = Instant::now();
        let (deadline, malformed) = match request.headers().get("grpc-timeout") {
            None => (None, false),
            Some(v) => match crate::timeout::parse(v.as_bytes()) {
                Some(d) => (Some(start + d), false),
                None => (None, true),
            },
        };
        let server_limit = start + self.layer.request_timeout;
        let (head_limit, head_status) = match deadline {
            // Answered at once, before the handler runs (see `crate::timeout`).
            _ if malformed => (start, Status::internal(crate::timeout::MALFORMED)),
            Some(d) if d.checked_sub(Duration::from_millis(1)).unwrap_or(start) < server_limit => (
                d.checked_sub(Duration::from_millis(1)).unwrap_or(start),
                Status::deadline_exceeded("deadline exceeded (grpc-timeout)"),
            ),
            _ => (
                server_limit,
                Status::deadline_exceeded(format!(
                    "the server's request timeout ({} s) passed before a reply",
                    self.layer.request_timeout.as_secs()
                )),
            ),
        };
        let echo = if request.uri().path().starts_with(ECHO_PREFIX) {
            Echo {
                initial: request.headers().get(ECHO_INITIAL).cloned(),
                trailing: request.headers().get(ECHO_TRAILING).cloned(),
            }
        } else {
            Echo::default()
        };
        let path = request.uri().path().to_owned();
        ResponseFuture {
            path: Some(path),
            inner: (!malformed).then(|| self.inner.call(request)),
            head_limit: tokio::time::sleep_until(head_limit),
            head_status: Some(head_status),
            deadline,
            shutdown: self.layer.shutdown.clone(),
            echo,
        }
    }
}

/// Test metadata to send back.
#[derive(Debug, Default)]
struct Echo {
    initial: Option<HeaderValue>,
    trailing: Option<HeaderValue>,
}

pin_project! {
    /// The response future of [`CallBounds`].
    pub struct ResponseFuture<F> {
        path: Option<String>,
        #[pin]
        inner: Option<F>,
        #[pin]
        head_limit: Sleep,
        head_status: Option<Status>,
        deadline: Option<Instant>,
        shutdown: CancellationToken,
        echo: Echo,
    }
}

impl<F, ResBody, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<http::Response<ResBody>, E>>,
{
    type Output = Result<http::Response<BoundedBody<ResBody>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let polled = match this.inner.as_pin_mut() {
            Some(inner) => inner.poll(cx),
            None => Poll::Pending,
        };
        let (mut parts, body) = match polled {
            Poll::Ready(Ok(response)) => {
                let (parts, body) = response.into_parts();
                (parts, Some(body))
            }
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => {
                ready!(this.head_limit.poll(cx));
                let status = this
                    .head_status
                    .take()
                    .unwrap_or_else(|| Status::unknown(""));
                tracing::info!(code = ?status.code(), "{}", status.message());
                let (parts, ()) = status.into_http::<()>().into_parts();
                (parts, None)
            }
        };
        if let Some(v) = this.echo.initial.take() {
            parts.headers.insert(ECHO_INITIAL, v);
        }
        let mut extra_trailers = None;
        if let Some(v) = this.echo.trailing.take() {
            if body.is_none() || parts.headers.contains_key("grpc-status") {
                // Trailers-only reply: trailing metadata goes with the status in the headers.
                parts.headers.insert(ECHO_TRAILING, v);
            } else {
                extra_trailers = Some((ECHO_TRAILING, v));
            }
        }
        let body = BoundedBody {
            path: this.path.take().unwrap_or_default(),
            finished: body.is_none(),
            deadline: this.deadline.map(tokio::time::sleep_until),
            shutdown: body
                .is_some()
                .then(|| Box::pin(this.shutdown.clone().cancelled_owned())),
            inner: body,
            extra_trailers,
        };
        Poll::Ready(Ok(http::Response::from_parts(parts, body)))
    }
}
