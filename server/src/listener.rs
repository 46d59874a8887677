//! Accepting connections: at most `max_connections` open at once, and an accept error
//! (descriptors run out, a peer reset in the queue) never stops the server.
//!
//! Past the cap the listener stops accepting: new peers wait in the kernel's queue until a
//! connection closes, rather than each costing a descriptor and buffers. When `accept`
//! fails the listener waits a moment before trying again (the usual cause, no descriptor
//! left, lasts until a connection closes), logging at most once a second, instead of
//! spinning on the error.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tokio_util::sync::PollSemaphore;

use crate::conn::{Conn, Timeouts};

/// How long the listener rests after a failed `accept`.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The stream of accepted connections that [`crate::serve`] hands to tonic.
pub struct Listener {
    listener: TcpListener,
    slots: PollSemaphore,
    timeouts: Timeouts,
    backoff: Pin<Box<Sleep>>,
    resting: bool,
    last_logged: Option<Instant>,
}

impl Listener {
    /// Accepts from `listener`, holding at most `max_connections` open at once.
    pub fn new(listener: TcpListener, max_connections: usize, timeouts: Timeouts) -> Self {
        Listener {
            listener,
            slots: PollSemaphore::new(Arc::new(Semaphore::new(max_connections.max(1)))),
            timeouts,
            backoff: Box::pin(tokio::time::sleep(Duration::ZERO)),
            resting: false,
            last_logged: None,
        }
    }

    fn log_error(&mut self, e: &io::Error) {
        let now = Instant::now();
        if self
            .last_logged
            .is_none_or(|t| now.duration_since(t) >= Duration::from_secs(1))
        {
            self.last_logged = Some(now);
            tracing::warn!(error = %e, "accept failed; retrying (is the descriptor limit reached?)");
        }
    }
}

impl Stream for Listener {
    type Item = Result<Conn, io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.resting {
            if this.backoff.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.resting = false;
        }
        // A slot first, so nothing is accepted past the cap.
        let Some(slot) = std::task::ready!(this.slots.poll_acquire(cx)) else {
            return Poll::Ready(None);
        };
        loop {
            match this.listener.poll_accept(cx) {
                Poll::Ready(Ok((stream, peer))) => {
                    // Socket options stay as tokio sets them (Nagle on), as before this
                    // listener: with TCP_NODELAY, a stream's last frames at shutdown were
                    // lost to a reset more often (`shutdown_ends_open_streams_...`).
                    return Poll::Ready(Some(Ok(Conn::new(stream, peer, slot, this.timeouts))));
                }
                Poll::Ready(Err(e)) if is_per_connection(&e) => continue,
                Poll::Ready(Err(e)) => {
                    this.log_error(&e);
                    this.backoff.as_mut().reset(Instant::now() + ACCEPT_BACKOFF);
                    if this.backoff.as_mut().poll(cx).is_pending() {
                        this.resting = true;
                        // The slot goes back; the next poll takes one again.
                        return Poll::Pending;
                    }
                }
                // The slot goes back while nothing is waiting to be accepted.
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// Errors about one queued connection (it was reset before it was accepted): the next
/// one can be accepted at once.
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    )
}
