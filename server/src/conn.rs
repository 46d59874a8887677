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
    /// Since when a write has been refused (the socket is full), if one is.
    write_waiting: Option<Instant>,
    /// Ticks every quarter of the write timeout, to look for a stuck peer.
    check: Pin<Box<Sleep>>,
    /// The socket's send queue at the last tick, and when it last shrank.
    queued: Option<u32>,
    progress_at: Instant,
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
            write_waiting: None,
            check: Box::pin(tokio::time::sleep_until(now + tick(timeouts.write))),
            queued: None,
            progress_at: now,
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

    /// True once the peer is stuck: a write, or a call's reply (HTTP/2 flow-control
    /// credit), has waited on it for the write timeout, and all that time the socket's
    /// send queue has not shrunk (the peer took none of the bytes already sent). A slow
    /// reader that still reads keeps its connection.
    fn peer_stuck(&mut self, cx: &mut Context<'_>) -> bool {
        let limit = self.timeouts.write;
        while self.check.as_mut().poll(cx).is_ready() {
            let now = Instant::now();
            let queued = send_queue_len(&self.stream);
            if let (Some(q), Some(before)) = (queued, self.queued) {
                if q < before {
                    self.progress_at = now;
                }
            }
            self.queued = queued;
            let waiting = [self.write_waiting, self.info.calls.stalled_since()]
                .into_iter()
                .flatten()
                .min();
            if waiting.is_some_and(|since| now.duration_since(since) >= limit)
                && now.duration_since(self.progress_at) >= limit
            {
                return true;
            }
            self.check.as_mut().reset(now + tick(limit));
        }
        false
    }

    /// Passes a write's outcome through, failing it once the peer is stuck.
    fn write_progress<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if polled.is_ready() {
            self.write_waiting = None;
            return polled;
        }
        self.write_waiting.get_or_insert_with(Instant::now);
        if self.peer_stuck(cx) {
            return Poll::Ready(Err(self.stuck_error()));
        }
        Poll::Pending
    }

    fn stuck_error(&self) -> io::Error {
        tracing::info!(peer = %self.info.peer, "closing a connection whose peer stopped reading");
        io::Error::new(
            io::ErrorKind::TimedOut,
            "the peer took no data within the write timeout",
        )
    }
}

/// How often a connection looks for a stuck peer.
fn tick(write_timeout: Duration) -> Duration {
    (write_timeout / 4).max(Duration::from_millis(100))
}

/// Bytes in the socket's send queue (sent but not acknowledged, or not yet sent).
#[cfg(target_os = "linux")]
fn send_queue_len(stream: &TcpStream) -> Option<u32> {
    use std::os::fd::AsRawFd;
    let mut n: libc::c_int = 0;
    // SAFETY: TIOCOUTQ (SIOCOUTQ for a socket) writes one int through the pointer given.
    let r = unsafe { libc::ioctl(stream.as_raw_fd(), libc::TIOCOUTQ, &mut n) };
    if r == 0 {
        u32::try_from(n).ok()
    } else {
        None
    }
}

/// Elsewhere the queue is not read: a stuck peer is judged by time alone.
#[cfg(not(target_os = "linux"))]
fn send_queue_len(_: &TcpStream) -> Option<u32> {
    None
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
            Poll::Pending if this.peer_stuck(cx) => Poll::Ready(Err(this.stuck_error())),
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
