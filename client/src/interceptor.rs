//! Interceptors: hooks that see every call on a [`Client`](crate::Client), to add
//! credentials, log, or measure. Several compose; they run in the order they were added.

use std::time::Duration;

use crate::protocol::metadata::MetadataMap;
use crate::protocol::status::Status;

/// A hook on every call. Both methods have defaults, so implement only what you need.
///
/// `Send + Sync` because a [`Client`](crate::Client) holds its interceptors and is
/// `Send + Sync` itself, which frameworks ask of shared state (Leptos' `provide_context`
/// takes `T: Send + Sync`). In the browser the bound only keeps JavaScript handles
/// (`JsValue`, `web_sys` objects), which are `!Send`, out of an interceptor; to keep one,
/// wrap it (e.g. `send_wrapper::SendWrapper`) and use it on the thread that made it, which
/// on wasm32 is the only one.
///
/// A closure `Fn(&mut RequestHead) -> Result<(), Status>` is an interceptor too:
///
/// ```
/// use grpc_web_wasm::{Client, RequestHead, Status};
///
/// let token = "secret".to_owned();
/// let client = Client::new("https://api.example.com").interceptor(
///     move |head: &mut RequestHead| -> Result<(), Status> {
///         // A refused key or value is an INTERNAL status (`From<InvalidMetadata>`).
///         head.metadata_mut()
///             .insert("authorization", &format!("Bearer {token}"))?;
///         Ok(())
///     },
/// );
/// ```
pub trait Interceptor: Send + Sync + 'static {
    /// Runs before the request is sent. It may change the metadata or the timeout; an
    /// error ends the call with that status, and nothing is sent.
    fn on_request(&self, head: &mut RequestHead) -> Result<(), Status> {
        let _ = head;
        Ok(())
    }

    /// Runs once when the call ends, with its final status (`OK` included): when the
    /// unary reply, or a stream's last item, is returned. A call or stream dropped before
    /// its end reports `CANCELLED`, and then this runs inside that `Drop`: it must not
    /// panic, and must not wait on the call's own future or stream.
    fn on_end(&self, end: &CallEnd<'_>) {
        let _ = end;
    }

    /// Runs when an attempt of a call with a retry or hedging policy ends without being the
    /// call's outcome: it failed before its response headers, or it lost to a hedge. Each
    /// attempt also ran [`on_request`](Self::on_request) (retries carry
    /// `grpc-previous-rpc-attempts`); the call's outcome still goes to
    /// [`on_end`](Self::on_end).
    fn on_attempt(&self, attempt: &AttemptEnd<'_>) {
        let _ = attempt;
    }
}

impl<F> Interceptor for F
where
    F: Fn(&mut RequestHead) -> Result<(), Status> + Send + Sync + 'static,
{
    fn on_request(&self, head: &mut RequestHead) -> Result<(), Status> {
        self(head)
    }
}

/// What an interceptor may see and change of a call before it is sent.
#[derive(Debug, Clone)]
pub struct RequestHead {
    pub(crate) path: String,
    pub(crate) metadata: MetadataMap,
    pub(crate) timeout: Option<Duration>,
    pub(crate) previous_attempts: u32,
}

impl RequestHead {
    /// The method path, `/package.Service/Method`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The metadata to send: the client's headers, then the request's.
    pub fn metadata(&self) -> &MetadataMap {
        &self.metadata
    }

    /// The metadata to send, for changing.
    pub fn metadata_mut(&mut self) -> &mut MetadataMap {
        &mut self.metadata
    }

    /// The call's deadline, if any.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// How many attempts of this call came before this one (sent as
    /// `grpc-previous-rpc-attempts`): zero but on retries and hedges.
    pub fn previous_attempts(&self) -> u32 {
        self.previous_attempts
    }

    /// Sets or clears the call's deadline.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }
}

/// How a call ended, for [`Interceptor::on_end`].
#[derive(Debug)]
pub struct CallEnd<'a> {
    pub(crate) path: &'a str,
    pub(crate) status: &'a Status,
    pub(crate) elapsed: Duration,
    pub(crate) attempts: u32,
}

impl CallEnd<'_> {
    /// The method path.
    pub fn path(&self) -> &str {
        self.path
    }

    /// The final status; for `OK` its metadata holds the trailers.
    pub fn status(&self) -> &Status {
        self.status
    }

    /// Time from sending to the end.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// How many attempts were started, the first included (more than one only under a
    /// retry or hedging policy).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// An attempt that did not become the call's outcome, for [`Interceptor::on_attempt`].
#[derive(Debug)]
pub struct AttemptEnd<'a> {
    pub(crate) path: &'a str,
    pub(crate) number: u32,
    pub(crate) status: &'a Status,
    pub(crate) retry_after: Option<Duration>,
}

impl AttemptEnd<'_> {
    /// The method path.
    pub fn path(&self) -> &str {
        self.path
    }

    /// Which attempt this was, from 1.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// How it ended: its failure, or `CANCELLED` for a hedge that lost.
    pub fn status(&self) -> &Status {
        self.status
    }

    /// The wait before the retry this failure leads to; `None` if it leads to none (the
    /// call ends with it, or other hedged attempts are still running).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}
