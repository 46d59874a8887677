//! One accepted connection: closed when it has had no call open for the idle timeout, or
//! when its writes have made no progress for the write timeout (the peer stopped reading,
//! so what the server buffered toward it would otherwise stay in memory for good).
//!
//! Calls are counted per connection by [`TrackCallsLayer`]: tonic puts each connection's
//! [`ConnInfo`] into its requests, and a call counts from its arrival until its response
//! body is done or dropped. So a quiet stream (a chat room where nobody speaks) is not
//! idle, while a connection holding no call is, whatever keep-alive pings it exchanges.
//!
//! Closing is done from inside the I/O: an idle connection reads end-of-file (HTTP/1.1
//! and HTTP/2 alike then close it), a stalled write fails with `TimedOut`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::{Instant, Sleep};
use tonic::transport::server::Connected;
use tower::{Layer, Service};

/// The connection limits [`Conn`] enforces.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Close after this long with no call open.
    pub idle: Duration,
    /// Close after writes make no progress for this long.
    pub write: Duration,
}

/// Calls open on one connection, and when the last one ended.
#[derive(Debug)]
struct Calls {
    open: AtomicUsize,
    last_end: Mutex<Instant>,
}

/// What tonic puts into each request about its connection.
#[derive(Debug, Clone)]
pub struct ConnInfo {
    /// The peer's address.
    pub peer: SocketAddr,
    calls: Arc<Calls>,
}

/// An accepted TCP connection with its limits; it frees its place under the connection
/// cap when dropped.
pub struct Conn {
    stream: TcpStream,
    info: ConnInfo,
    timeouts: Timeouts,
    idle: Pin<Box<Sleep>>,
    stall: Option<Pin<Box<Sleep>>>,
    _slot: OwnedSemaphorePermit,
}

impl Conn {
    /// Wraps `stream`, which holds `slot` under the connection cap.
    pub fn new(
        stream: TcpStream,
        peer: SocketAddr,
        slot: OwnedSemaphorePermit,
        timeouts: Timeouts,
    ) -> Conn {
        let now = Instant::now();
        Conn {
            stream,
            info: ConnInfo {
                peer,
                calls: Arc::new(Calls {
                    open: AtomicUsize::new(0),
                    last_end: Mutex::new(now),
                }),
            },
            timeouts,
            idle: Box::pin(tokio::time::sleep_until(now + timeouts.idle)),
            stall: None,
            _slot: slot,
        }
    }

    /// True once the connection has had no call open for the idle timeout; otherwise the
    /// idle timer is set to when that could next be so.
    fn idle_expired(&mut self, cx: &mut Context<'_>) -> bool {
        while self.idle.as_mut().poll(cx).is_ready() {
            let now = Instant::now();
            let next = if self.info.calls.open.load(Ordering::Acquire) > 0 {
                now + self.timeouts.idle
            } else {
                *self.info.calls.last_end.lock().expect("not poisoned") + self.timeouts.idle
            };
            if next <= now {
                return true;
            }
            self.idle.as_mut().reset(next);
        }
        false
    }

    /// Passes a write's outcome through, failing it once writes have been pending for
    /// the write timeout.
    fn write_progress<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if polled.is_ready() {
            self.stall = None;
            return polled;
        }
        let limit = self.timeouts.write;
        let stall = self
            .stall
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        if stall.as_mut().poll(cx).is_ready() {
            tracing::info!(peer = %self.info.peer, "closing a connection whose peer stopped reading");
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "writes made no progress within the write timeout",
            )));
        }
        Poll::Pending
    }
}

impl Connected for Conn {
    type ConnectInfo = ConnInfo;

    fn connect_info(&self) -> ConnInfo {
        self.info.clone()
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Pending if this.idle_expired(cx) => {
                tracing::debug!(peer = %this.info.peer, "closing an idle connection");
                Poll::Ready(Ok(())) // end of file
            }
            polled => polled,
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.write_progress(cx, polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.write_progress(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.stream).poll_flush(cx);
        self.write_progress(cx, polled)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.stream).poll_shutdown(cx);
        self.write_progress(cx, polled)
    }
}

/// Counts each request as an open call on its connection (see [`ConnInfo`]).
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

/// One open call; ends when dropped.
struct CallGuard(Arc<Calls>);

impl CallGuard {
    fn enter(calls: &Arc<Calls>) -> CallGuard {
        calls.open.fetch_add(1, Ordering::AcqRel);
        CallGuard(calls.clone())
    }
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        *self.0.last_end.lock().expect("not poisoned") = Instant::now();
        self.0.open.fetch_sub(1, Ordering::AcqRel);
    }
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
        let guard = request
            .extensions()
            .get::<ConnInfo>()
            .map(|info| CallGuard::enter(&info.calls));
        TrackedFuture {
            inner: self.inner.call(request),
            guard,
        }
    }
}

pin_project! {
    /// The response future of [`TrackCalls`].
    pub struct TrackedFuture<F> {
        #[pin]
        inner: F,
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
        let guard = this.guard.take();
        Poll::Ready(Ok(response.map(|inner| Tracked {
            inner,
            _guard: guard,
        })))
    }
}

pin_project! {
    /// A response body that keeps its call counted until it is done or dropped.
    pub struct Tracked<B> {
        #[pin]
        inner: B,
        _guard: Option<CallGuard>,
    }
}

impl<B: http_body::Body> http_body::Body for Tracked<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<B::Data>, B::Error>>> {
        self.project().inner.poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
