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
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};
use tokio_util::sync::PollSemaphore;

use crate::conn::{Conn, Timeouts};

/// How long the listener rests after a failed `accept`.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The stream of accepted connections that [`crate::serve`] hands to tonic.
pub struct Listener {
    listener: TcpListener,
    /// Serves `grpc-websockets` upgrades; other connections come back through `routed`.
    bridge: Option<grpc_websockets::Bridge<tonic::service::Routes>>,
    routed_tx: mpsc::UnboundedSender<Accepted>,
    routed: mpsc::UnboundedReceiver<Accepted>,
    slots: PollSemaphore,
    timeouts: Timeouts,
    backoff: Pin<Box<Sleep>>,
    resting: bool,
    last_logged: Option<Instant>,
}

impl Listener {
    /// Accepts from `listener`, holding at most `max_connections` open at once.
    pub fn new(
        listener: TcpListener,
        max_connections: usize,
        timeouts: Timeouts,
        bridge: Option<grpc_websockets::Bridge<tonic::service::Routes>>,
    ) -> Self {
        let (routed_tx, routed) = mpsc::unbounded_channel();
        Listener {
            listener,
            bridge,
            routed_tx,
            routed,
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
        loop {
            // Connections the bridge looked at and handed back.
            if let Poll::Ready(Some((stream, peer, slot))) = this.routed.poll_recv(cx) {
                return Poll::Ready(Some(Ok(Conn::new(stream, peer, slot, this.timeouts))));
            }
            match std::task::ready!(this.poll_accept(cx)) {
                Some(Ok((stream, peer, slot))) => match &this.bridge {
                    // Each connection is looked at on its own task (a WebSocket call runs
                    // there to its end, holding its connection slot), so one slow peer
                    // never holds up the others.
                    Some(bridge) => {
                        let (bridge, routed) = (bridge.clone(), this.routed_tx.clone());
                        tokio::spawn(async move {
                            if let Some(stream) = bridge.route(stream).await {
                                let _ = routed.send((stream, peer, slot));
                            }
                        });
                    }
                    None => {
                        return Poll::Ready(Some(Ok(Conn::new(stream, peer, slot, this.timeouts))))
                    }
                },
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => return Poll::Ready(None),
            }
        }
    }
}

/// A connection accepted with its slot, before it is wrapped.
type Accepted = (TcpStream, std::net::SocketAddr, OwnedSemaphorePermit);

impl Listener {
    #[allow(clippy::type_complexity)]
    fn poll_accept(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Accepted, io::Error>>> {
        let this = self;
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
                    return Poll::Ready(Some(Ok((stream, peer, slot))));
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
