//! One accepted connection: closed when it has had no call open for the idle timeout, or
//! when its writes have made no progress for the write timeout (the peer stopped reading,
//! so what the server buffered toward it would otherwise stay in memory for good).
//!
//! Calls are counted per connection by [`crate::tracking`]: tonic puts each connection's
//! [`ConnInfo`] into its requests, and a call counts from its arrival until its response
//! body is done or dropped. So a quiet stream (a chat room where nobody speaks) is not
//! idle, while a connection holding no call is, whatever keep-alive pings it exchanges.
//! The same tracking sees a reply that waits on its peer: over HTTP/2 a peer that stops
//! reading withholds flow-control credit and the socket never blocks, so the write
//! timeout also applies to each reply's progress.
//!
//! Closing is done from inside the I/O: an idle connection reads end-of-file (HTTP/1.1
//! and HTTP/2 alike then close it), a stalled write or reply fails with `TimedOut`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::{Instant, Sleep};
use tonic::transport::server::Connected;

use crate::tracking::Calls;

/// The connection limits [`Conn`] enforces.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Close after this long with no call open.
    pub idle: Duration,
    /// Close after writes make no progress for this long.
    pub write: Duration,
}

/// What tonic puts into each request about its connection.
#[derive(Debug, Clone)]
pub struct ConnInfo {
    /// The peer's address.
    pub peer: SocketAddr,
    pub(crate) calls: Arc<Calls>,
}

/// An accepted TCP connection with its limits; it frees its place under the connection
/// cap when dropped.
pub struct Conn {
    stream: TcpStream,
    info: ConnInfo,
    timeouts: Timeouts,
    idle: Pin<Box<Sleep>>,
    stall: Option<Pin<Box<Sleep>>>,
    reply_check: Pin<Box<Sleep>>,
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
                calls: Arc::new(Calls::new(now)),
            },
            timeouts,
            idle: Box::pin(tokio::time::sleep_until(now + timeouts.idle)),
            stall: None,
            reply_check: Box::pin(tokio::time::sleep_until(now + timeouts.write)),
            _slot: slot,
        }
    }

    /// True once the connection has had no call open for the idle timeout; otherwise the
    /// idle timer is set to when that could next be so.
    fn idle_expired(&mut self, cx: &mut Context<'_>) -> bool {
        while self.idle.as_mut().poll(cx).is_ready() {
            let now = Instant::now();
            let next = match self.info.calls.idle_since() {
                None => now + self.timeouts.idle,
                Some(since) => since + self.timeouts.idle,
            };
            if next <= now {
                return true;
            }
            self.idle.as_mut().reset(next);
        }
        false
    }

    /// True once a call's reply has waited for the peer (HTTP/2 flow-control credit, or
    /// room in the socket) for the write timeout; checked every quarter of it.
    fn reply_stalled(&mut self, cx: &mut Context<'_>) -> bool {
        let limit = self.timeouts.write;
        while self.reply_check.as_mut().poll(cx).is_ready() {
            let now = Instant::now();
            if self
                .info
                .calls
                .stalled_since()
                .is_some_and(|since| now.duration_since(since) >= limit)
            {
                return true;
            }
            let tick = (limit / 4).max(Duration::from_millis(100));
            self.reply_check.as_mut().reset(now + tick);
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
            Poll::Pending if this.reply_stalled(cx) => {
                tracing::info!(peer = %this.info.peer, "closing a connection whose peer stopped reading a reply");
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "a reply made no progress within the write timeout",
                )))
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
