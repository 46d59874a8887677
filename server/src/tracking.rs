//! What each connection's calls are doing, for [`crate::conn`] to act on: how many are
//! open (and when the last one ended), and whether a reply is waiting on its peer.
//!
//! [`TrackCallsLayer`] sits outermost on the server, so every request counts from its
//! arrival until its response body is done or dropped. The body it wraps hands data to
//! the transport in pieces of at most [`PIECE`] bytes, all views of the one message
//! buffer (nothing is copied), and notes when it handed one over: the transport asks for
//! the next piece as soon as the peer has taken that one. A reply not asked for more
//! since it handed a piece over is waiting on its peer; pieces keep that wait short for a
//! slow reader that still reads, and measure it, where a whole message would not.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tokio::time::Instant;
use tower::{Layer, Service};

use crate::conn::ConnInfo;

/// Largest piece of a reply handed to the transport at once: above the benchmark's
/// 64 KiB messages (with their frame headers), so those go out whole; a reader still
/// taking at least this much per write timeout (8.5 KB/s at 30 s) is never cut off.
pub const PIECE: usize = 256 * 1024;

/// One connection's calls.
#[derive(Debug)]
pub struct Calls {
    epoch: Instant,
    open: AtomicUsize,
    last_end: Mutex<Instant>,
    /// Per open reply: 0, or 1 + the milliseconds after `epoch` when it handed a piece
    /// over and has not been asked for more since.
    waits: Mutex<Vec<Weak<AtomicU64>>>,
}

impl Calls {
    /// No calls yet, as of `now`.
    pub fn new(now: Instant) -> Calls {
        Calls {
            epoch: now,
            open: AtomicUsize::new(0),
            last_end: Mutex::new(now),
            waits: Mutex::new(Vec::new()),
        }
    }

    /// `None` while a call is open; else when the last one ended (or the connection began).
    pub fn idle_since(&self) -> Option<Instant> {
        if self.open.load(Ordering::Acquire) > 0 {
            return None;
        }
        Some(*self.last_end.lock().expect("not poisoned"))
    }

    /// Since when the reply that has waited longest on its peer has been waiting.
    pub fn stalled_since(&self) -> Option<Instant> {
        let mut waits = self.waits.lock().expect("not poisoned");
        waits.retain(|w| w.strong_count() > 0);
        waits
            .iter()
            .filter_map(Weak::upgrade)
            .map(|w| w.load(Ordering::Relaxed))
            .filter(|&stamp| stamp > 0)
            .min()
            .map(|stamp| self.epoch + std::time::Duration::from_millis(stamp - 1))
    }

    fn enter(self: &Arc<Self>) -> CallGuard {
        self.open.fetch_add(1, Ordering::AcqRel);
        CallGuard(self.clone())
    }

    fn watch(&self) -> Arc<AtomicU64> {
        let wait = Arc::new(AtomicU64::new(0));
        self.waits
            .lock()
            .expect("not poisoned")
            .push(Arc::downgrade(&wait));
        wait
    }
}

/// One open call; ends when dropped.
struct CallGuard(Arc<Calls>);

impl Drop for CallGuard {
    fn drop(&mut self) {
        *self.0.last_end.lock().expect("not poisoned") = Instant::now();
        self.0.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Counts each request as an open call on its connection (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct TrackCallsLayer;

impl<S> Layer<S> for TrackCallsLayer {
    type Service = TrackCalls<S>;

    fn layer(&self, inner: S) -> TrackCalls<S> {
        TrackCalls { inner }
    }
}

/// The service [`TrackCallsLayer`] makes.
#[derive(Debug, Clone)]
pub struct TrackCalls<S> {
    inner: S,
}

impl<S, B, ResBody> Service<http::Request<B>> for TrackCalls<S>
where
    S: Service<http::Request<B>, Response = http::Response<ResBody>>,
{
    type Response = http::Response<Tracked<ResBody>>;
    type Error = S::Error;
    type Future = TrackedFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let calls = request
            .extensions()
            .get::<ConnInfo>()
            .map(|info| info.calls.clone());
        TrackedFuture {
            guard: calls.as_ref().map(Calls::enter),
            calls,
            inner: self.inner.call(request),
        }
    }
}

pin_project! {
    /// The response future of [`TrackCalls`].
    pub struct TrackedFuture<F> {
        #[pin]
        inner: F,
        calls: Option<Arc<Calls>>,
        guard: Option<CallGuard>,
    }
}

impl<F, B, E> Future for TrackedFuture<F>
where
    F: Future<Output = Result<http::Response<B>, E>>,
{
    type Output = Result<http::Response<Tracked<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = std::task::ready!(this.inner.poll(cx))?;
        let calls = this.calls.take();
        let wait = calls.as_ref().map(|c| c.watch());
        let guard = this.guard.take();
        Poll::Ready(Ok(response.map(|inner| Tracked {
            inner,
            rest: None,
            calls,
            wait,
            _guard: guard,
        })))
    }
}

pin_project! {
    /// A response body that keeps its call counted until it is done or dropped, and
    /// hands data over in pieces, noting when it waits on the peer.
    pub struct Tracked<B> {
        #[pin]
        inner: B,
        rest: Option<Bytes>,
        calls: Option<Arc<Calls>>,
        wait: Option<Arc<AtomicU64>>,
        _guard: Option<CallGuard>,
    }
}

impl<B> Body for Tracked<B>
where
    B: Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = self.project();
        if let Some(wait) = this.wait.as_ref() {
            wait.store(0, Ordering::Relaxed);
        }
        let mut data = match this.rest.take() {
            Some(rest) => rest,
            None => match std::task::ready!(this.inner.poll_frame(cx)) {
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => data,
                    Err(frame) => return Poll::Ready(Some(Ok(frame))),
                },
                other => return Poll::Ready(other),
            },
        };
        if data.len() > PIECE {
            *this.rest = Some(data.split_off(PIECE));
        }
        if let (Some(wait), Some(calls)) = (this.wait.as_ref(), this.calls.as_ref()) {
            let ms = Instant::now().duration_since(calls.epoch).as_millis();
            wait.store(
                u64::try_from(ms).unwrap_or(u64::MAX - 1) + 1,
                Ordering::Relaxed,
            );
        }
        Poll::Ready(Some(Ok(Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_none() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let mut hint = self.inner.size_hint();
        if let Some(rest) = &self.rest {
            let len = rest.len() as u64;
            hint.set_lower(hint.lower().saturating_add(len));
            if let Some(upper) = hint.upper() {
                hint.set_upper(upper.saturating_add(len));
            }
        }
        hint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body of one data frame, then its end.
    struct One(Option<Bytes>);

    impl Body for One {
        type Data = Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            Poll::Ready(self.0.take().map(|b| Ok(Frame::data(b))))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn replies_go_out_in_pieces_and_a_wait_is_seen() {
        let calls = Arc::new(Calls::new(Instant::now()));
        let message = Bytes::from(vec![7u8; PIECE * 2 + 10]);
        let mut body = std::pin::pin!(Tracked {
            inner: One(Some(message.clone())),
            rest: None,
            wait: Some(calls.watch()),
            calls: Some(calls.clone()),
            _guard: Some(calls.enter()),
        });
        let mut pieces = Vec::new();
        let mut cx = Context::from_waker(std::task::Waker::noop());
        while let Poll::Ready(Some(Ok(frame))) = body.as_mut().poll_frame(&mut cx) {
            let data = frame.into_data().unwrap();
            assert!(
                calls.stalled_since().is_some(),
                "handed over, not yet taken"
            );
            tokio::time::advance(std::time::Duration::from_secs(1)).await;
            pieces.push(data);
        }
        assert_eq!(
            pieces.iter().map(Bytes::len).collect::<Vec<_>>(),
            [PIECE, PIECE, 10]
        );
        assert_eq!(pieces.concat(), message);
        assert_eq!(calls.stalled_since(), None, "asked for more: not waiting");
        assert_eq!(calls.idle_since(), None, "still open");
    }
}
