//! One attempt of a call under a retry or hedging policy: its request head (the
//! interceptors run for each attempt), its send, and whether it committed.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;

use super::timer;
use crate::call::{self, CallGuard, Outgoing};
use crate::client::Client;
use crate::interceptor::{AttemptEnd, RequestHead};
use crate::protocol::metadata::MetadataMap;
use crate::protocol::reply::{Cardinality, Yield};
use crate::protocol::retry::Throttle;
use crate::protocol::status::Status;
use crate::request::Request;
use crate::streaming::{RawStream, Source};

/// How an attempt ended, as far as the retry decision goes.
pub(crate) enum Outcome {
    /// Its response headers arrived (or its message, or its OK end): the call is its.
    Committed(RawStream),
    /// It failed before committing: the status, and the reply that will yield it again if
    /// the call ends with it (none if the request never got a reply).
    Failed(Status, Option<RawStream>),
}

/// What every attempt of one call shares: the buffered request and the deadline.
pub(crate) struct Call<'a> {
    pub(crate) client: &'a Client,
    pub(crate) path: &'a str,
    metadata: MetadataMap,
    message: Bytes,
    signals: Vec<web_sys::AbortSignal>,
    cardinality: Cardinality,
    started: f64,
    /// The call's deadline from its start, spanning every attempt.
    pub(crate) deadline: Option<Duration>,
}

impl<'a> Call<'a> {
    /// Buffers `request` and makes the first attempt's head, whose deadline (the
    /// request's or the client's, or the method config's if earlier) becomes the call's.
    pub(crate) fn new(
        client: &'a Client,
        path: &'a str,
        request: Outgoing,
        cardinality: Cardinality,
        method_timeout: Option<Duration>,
    ) -> Result<(Call<'a>, RequestHead), Status> {
        let timeout = match (request.timeout.or(client.config().timeout), method_timeout) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let mut call = Call {
            client,
            path,
            metadata: request.metadata,
            message: Bytes::new(),
            signals: request.signals,
            cardinality,
            started: js_sys::Date::now(),
            deadline: timeout,
        };
        let head = call.head(0)?;
        call.message = request.message?;
        call.deadline = head.timeout;
        Ok((call, head))
    }

    /// A wait of `delay` before a next attempt; a signal of the call that aborts ends it at
    /// once (the next attempt then finds the signal aborted: `CANCELLED`).
    pub(crate) fn pause(&self, delay: Duration) -> timer::Sleep {
        timer::Sleep::until_aborted(delay, &self.signals)
    }

    /// `CANCELLED` if one of the call's signals aborted.
    pub(crate) fn cancelled(&self) -> Option<Status> {
        self.signals.iter().any(|s| s.aborted()).then(|| {
            Status::new(
                crate::Code::Cancelled,
                "call cancelled by the caller (AbortSignal)",
            )
        })
    }

    /// Time since the call started.
    pub(crate) fn elapsed(&self) -> Duration {
        timer::since(self.started)
    }

    /// The head of an attempt after `previous` others: the interceptors see it, with
    /// `grpc-previous-rpc-attempts` on retries and what is left of the deadline.
    pub(crate) fn head(&self, previous: u32) -> Result<RequestHead, Status> {
        let remaining = self.deadline.map(|d| d.saturating_sub(self.elapsed()));
        let request = Request {
            message: (),
            metadata: self.metadata.clone(),
            timeout: remaining,
            signals: Vec::new(),
        };
        let mut head = call::attempt_head(self.client, self.path, &request, previous)?;
        if let (Some(left), Some(asked)) = (remaining, head.timeout) {
            head.timeout = Some(asked.min(left));
        }
        Ok(head)
    }

    /// Sends an attempt with `head` and waits until it commits or fails.
    pub(crate) async fn attempt(&self, head: RequestHead) -> Outcome {
        let sent = call::send_head(
            self.client,
            &head.borrowed(),
            &self.message,
            &self.signals,
            self.cardinality,
        )
        .await;
        let (decoder, body, headers) = match sent {
            Ok(sent) => sent,
            Err(status) => return Outcome::Failed(status, None),
        };
        let committed = decoder.headers_received();
        let mut raw = RawStream::new(headers, decoder, Source::Fetch(body), CallGuard::detached());
        if committed {
            return Outcome::Committed(raw);
        }
        match raw.peek().await {
            Some(Yield::End(Err(status))) => {
                let status = status.clone();
                Outcome::Failed(status, Some(raw))
            }
            _ => Outcome::Committed(raw),
        }
    }

    /// The target's throttle, if the client throttles retries.
    pub(crate) fn throttle(&self) -> Option<MutexGuard<'_, Throttle>> {
        let throttle: &Mutex<Throttle> =
            super::settings(self.client.config())?.throttle.as_deref()?;
        Some(throttle.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// An attempt committed: a success for the throttle.
    pub(crate) fn record_success(&self) {
        if let Some(mut t) = self.throttle() {
            t.record_success();
        }
    }

    /// Tells the interceptors an attempt ended without being the call's outcome.
    pub(crate) fn report(&self, number: u32, status: &Status, retry_after: Option<Duration>) {
        let attempt = AttemptEnd {
            path: self.path,
            number,
            status,
            retry_after,
        };
        for i in self.client.config().interceptors() {
            i.on_attempt(&attempt);
        }
    }
}

/// The end a call gets from its last failed attempt.
pub(crate) fn failure(status: Status, raw: Option<RawStream>) -> Result<RawStream, Status> {
    raw.ok_or(status)
}
