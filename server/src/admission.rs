//! The start-of-call limit: at most N calls are being *worked on* at once, over all
//! connections, until each produces its response headers.
//!
//! A call holds a slot only while its handler runs. Whenever the handler is waiting for
//! more of the request body from the client, the slot is given back, and taken again
//! when the bytes arrive. So a client that sends a call's head and a few body bytes, then
//! nothing, holds no slot: a thousand such connections cannot make other calls wait
//! (issue 22; they are bounded by the connection cap and the deadlines instead).
//!
//! This layer sits inside [`crate::calls`], so a call's `grpc-timeout` and the server's
//! request timeout run from its arrival, also while it waits for a slot.
//!
//! The request body is wrapped to see when the handler waits on it; the same wrapper
//! words a failed body read plainly (the transport's error text is logged, not sent).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::PollSemaphore;
use tower::{Layer, Service};

/// Boxed error of a request body.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Adds [`Admission`] to a service: `slots` calls worked on at once.
#[derive(Debug, Clone)]
pub struct AdmissionLayer {
    slots: Arc<Semaphore>,
}

impl AdmissionLayer {
    /// A limit of `slots` calls being worked on at once (at least one).
    pub fn new(slots: usize) -> Self {
        AdmissionLayer {
            slots: Arc::new(Semaphore::new(slots.max(1))),
        }
    }
}

impl<S> Layer<S> for AdmissionLayer {
    type Service = Admission<S>;

    fn layer(&self, inner: S) -> Admission<S> {
        Admission {
            inner,
            slots: PollSemaphore::new(self.slots.clone()),
        }
    }
}

/// The service [`AdmissionLayer`] makes.
#[derive(Debug, Clone)]
pub struct Admission<S> {
    inner: S,
    slots: PollSemaphore,
}

impl<S, B, ResBody> Service<http::Request<B>> for Admission<S>
where
    S: Service<http::Request<WatchedBody<B>>, Response = http::Response<ResBody>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = AdmissionFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let waiting = Arc::new(AtomicBool::new(false));
        let request = request.map(|inner| WatchedBody {
            inner,
            waiting: waiting.clone(),
        });
        AdmissionFuture {
            inner: self.inner.call(request),
            slots: self.slots.clone(),
            permit: None,
            waiting,
        }
    }
}

pin_project! {
    /// The response future of [`Admission`]: polls the call only while it holds a slot.
    pub struct AdmissionFuture<F> {
        #[pin]
        inner: F,
        slots: PollSemaphore,
        permit: Option<OwnedSemaphorePermit>,
        waiting: Arc<AtomicBool>,
    }
}

impl<F, T, E> Future for AdmissionFuture<F>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if this.permit.is_none() {
            match this.slots.poll_acquire(cx) {
                Poll::Ready(permit) => *this.permit = permit,
                Poll::Pending => return Poll::Pending,
            }
        }
        this.waiting.store(false, Ordering::Relaxed);
        match this.inner.poll(cx) {
            Poll::Ready(out) => {
                *this.permit = None;
                Poll::Ready(out)
            }
            Poll::Pending => {
                if this.waiting.load(Ordering::Relaxed) {
                    // Waiting on the client: the body will wake this task when bytes
                    // arrive, and the slot is taken again then.
                    *this.permit = None;
                }
                Poll::Pending
            }
        }
    }
}

pin_project! {
    /// A request body that tells its [`AdmissionFuture`] when the handler waits on it.
    pub struct WatchedBody<B> {
        #[pin]
        inner: B,
        waiting: Arc<AtomicBool>,
    }
}

/// What a call is told when its request body cannot be read (the client's connection
/// broke, or its framing was invalid). The transport's own error text is for the log:
/// it is debug output, not a message for the peer.
pub const BODY_READ_ERROR: &str =
    "the request body could not be read (the connection broke or its framing was invalid)";

impl<B> Body for WatchedBody<B>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        this.waiting.store(polled.is_pending(), Ordering::Relaxed);
        polled.map(|frame| {
            frame.map(|r| {
                r.map_err(|e| {
                    let e: BoxError = e.into();
                    tracing::info!(error = %e, "request body read failed");
                    Box::new(tonic::Status::internal(BODY_READ_ERROR)) as BoxError
                })
            })
        })
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::time::Duration;

    use tokio::time::Instant;
    use tokio_util::sync::CancellationToken;
    use tower::ServiceExt;

    use super::*;
    use crate::calls::CallBoundsLayer;

    /// A request body that never delivers a byte, as a stalled client's.
    struct Stalled;

    impl Body for Stalled {
        type Data = Bytes;
        type Error = Infallible;
        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
            Poll::Pending
        }
    }

    type Reply = http::Response<tonic::body::Body>;

    /// A handler that works for the time in `x-work-ms`, or, without it, waits for its
    /// request body to end (which, stalled, it never does).
    async fn handler(request: http::Request<WatchedBody<Stalled>>) -> Result<Reply, Infallible> {
        let work = request
            .headers()
            .get("x-work-ms")
            .and_then(|v| v.to_str().ok()?.parse().ok());
        let mut body = std::pin::pin!(request.into_body());
        match work {
            Some(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
            None => {
                std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await;
            }
        }
        Ok(http::Response::new(tonic::body::Body::empty()))
    }

    /// Call bounds around one slot around [`handler`], as the server stacks them.
    fn stack() -> impl Service<
        http::Request<Stalled>,
        Response = http::Response<impl Body>,
        Error = Infallible,
        Future = impl Send,
    > + Clone {
        tower::ServiceBuilder::new()
            .layer(CallBoundsLayer::new(
                Duration::from_secs(30),
                CancellationToken::new(),
            ))
            .layer(AdmissionLayer::new(1))
            .service(tower::service_fn(handler))
    }

    fn call(timeout: &str, work_ms: Option<u64>) -> http::Request<Stalled> {
        let mut request = http::Request::builder()
            .uri("/demo.v1.UserService/GetUser")
            .header("grpc-timeout", timeout);
        if let Some(ms) = work_ms {
            request = request.header("x-work-ms", ms);
        }
        request.body(Stalled).unwrap()
    }

    fn grpc_status<B>(reply: &http::Response<B>) -> Option<&str> {
        reply.headers().get("grpc-status")?.to_str().ok()
    }

    /// Lets spawned calls run until they wait.
    async fn settle() {
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_waiting_on_its_body_holds_no_slot() {
        let svc = stack();
        let stalled = tokio::spawn(svc.clone().oneshot(call("20S", None)));
        settle().await;
        let start = Instant::now();
        let reply = svc.oneshot(call("2S", Some(10))).await.unwrap();
        assert_eq!(grpc_status(&reply), None, "answered by the handler");
        assert_eq!(start.elapsed(), Duration::from_millis(10));
        assert!(
            !stalled.is_finished(),
            "the stalled call still waits on its body"
        );
        stalled.abort();
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_waiting_for_a_slot_ends_at_its_deadline() {
        let svc = stack();
        let holder = tokio::spawn(svc.clone().oneshot(call("20S", Some(10_000))));
        settle().await;
        let start = Instant::now();
        let reply = svc.oneshot(call("2S", Some(10))).await.unwrap();
        assert_eq!(grpc_status(&reply), Some("4"), "DEADLINE_EXCEEDED");
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_millis(1990) && waited <= Duration::from_secs(2),
            "{waited:?}"
        );
        holder.abort();
    }
}
