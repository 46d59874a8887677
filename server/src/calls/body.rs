//! The response body of a bounded call: ended early with a status when the call's deadline
//! passes or the server shuts down, and logged when dropped before its end.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tokio::time::Sleep;
use tokio_util::sync::WaitForCancellationFutureOwned;
use tonic::{Code, Status};

use super::BoxError;

pin_project! {
    /// A response body ended early with a status when its call's deadline passes or the
    /// server shuts down. Ending it drops the inner body, and with it the handler's stream.
    ///
    /// A body dropped before its end means the client went away (a dropped stream, an
    /// aborted fetch, a closed tab): that is logged, so cancellations show in the server log.
    pub struct BoundedBody<B> {
        pub(super) path: String,
        pub(super) finished: bool,
        #[pin]
        pub(super) inner: Option<B>,
        #[pin]
        pub(super) deadline: Option<Sleep>,
        pub(super) shutdown: Option<Pin<Box<WaitForCancellationFutureOwned>>>,
        pub(super) extra_trailers: Option<(HeaderName, HeaderValue)>,
    }

    impl<B> PinnedDrop for BoundedBody<B> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if !*this.finished {
                tracing::info!(path = %this.path, "call cancelled: the client went away before its end");
            }
        }
    }
}

impl<B> Body for BoundedBody<B>
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
        let mut this = self.project();
        let Some(inner) = this.inner.as_mut().as_pin_mut() else {
            return Poll::Ready(None);
        };
        match inner.poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let frame = match frame.into_trailers() {
                    Ok(mut trailers) => {
                        // The call is over: nothing left to bound.
                        *this.finished = true;
                        this.deadline.set(None);
                        *this.shutdown = None;
                        if let Some((k, v)) = this.extra_trailers.take() {
                            trailers.insert(k, v);
                        }
                        Frame::trailers(trailers)
                    }
                    Err(frame) => frame,
                };
                return Poll::Ready(Some(Ok(frame)));
            }
            Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => {
                *this.finished = true;
                this.inner.set(None);
                return Poll::Ready(None);
            }
            Poll::Pending => {}
        }
        let mut status = None;
        if let Some(deadline) = this.deadline.as_mut().as_pin_mut() {
            if deadline.poll(cx).is_ready() {
                status = Some(Status::deadline_exceeded(
                    "deadline exceeded (grpc-timeout)",
                ));
            }
        }
        if let (None, Some(shutdown)) = (&status, this.shutdown.as_mut()) {
            if shutdown.as_mut().poll(cx).is_ready() {
                status = Some(Status::unavailable("the server is shutting down"));
            }
        }
        let Some(status) = status else {
            return Poll::Pending;
        };
        tracing::info!(code = ?status.code(), "stream ended: {}", status.message());
        *this.finished = true;
        this.inner.set(None);
        this.deadline.set(None);
        *this.shutdown = None;
        let mut trailers = HeaderMap::new();
        if status.add_header(&mut trailers).is_err() {
            trailers.insert("grpc-status", HeaderValue::from(Code::Internal as i32));
        }
        if let Some((k, v)) = this.extra_trailers.take() {
            trailers.insert(k, v);
        }
        Poll::Ready(Some(Ok(Frame::trailers(trailers))))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(|b| b.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        match &self.inner {
            Some(b) => b.size_hint(),
            None => SizeHint::with_exact(0),
        }
    }
}
