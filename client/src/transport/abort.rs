//! One `AbortController` per call, fired by whichever comes first: the deadline, the
//! caller's `AbortSignal`, or the call being dropped. It remembers why, so a rejected
//! `fetch` or body read can be reported with the right code.
//!
//! The timer and the signal listeners live in JS (`fetch.js`), which reports a firing
//! through the settle slots like any other JS outcome: no closure per call, and one kind
//! of callback from JS for the whole transport.

use std::cell::{Cell, RefCell};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::describe;
use super::settle::{Pending, Settle};
use crate::protocol::detail::detail;
use crate::protocol::status::{Code, Status};

#[wasm_bindgen(module = "/src/transport/fetch.js")]
extern "C" {
    /// A call's `AbortController` (`c`, whose signal `fetch` gets), with its timer and
    /// listeners.
    pub(crate) type JsAbort;
    /// A controller that fires after `ms` (none if negative), settling `settle(id, why)`
    /// once, before it aborts: 1 for the deadline, 2 for a followed signal.
    #[wasm_bindgen(catch)]
    fn abort_new(ms: f64, settle: &Settle, id: f64) -> Result<JsAbort, JsValue>;
    /// Fires `abort` when `signal` does; `true`, following nothing, if it already has.
    pub(crate) fn abort_follow(abort: &JsAbort, signal: &AbortSignal) -> bool;
    /// Stops the timer and the listeners, and aborts the request if `abort_request`.
    pub(crate) fn abort_end(abort: &JsAbort, abort_request: bool);
}

/// A controller that fires after `ms` (never if negative), and the slot its firing
/// settles; a retry's backoff sleeps on one too.
pub(crate) fn arm(ms: f64) -> (Pending, Result<JsAbort, JsValue>) {
    let mut fired = Pending::default();
    let mut made = Err(JsValue::UNDEFINED);
    fired.start(|settle, id| made = abort_new(ms, settle, id));
    (fired, made)
}

/// `setTimeout` cannot wait longer than this; longer deadlines are left to the server.
pub(crate) const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// Why the call was aborted, as `abort_new` settles it (0: not aborted).
const DEADLINE: u32 = 1;
const CANCELLED: u32 = 2;

/// The abort side of a call. Dropping it aborts the request unless [`disarm`](Self::disarm)ed.
pub(crate) struct Abort {
    js: JsAbort,
    /// Settled by JS when the abort fires.
    fired: RefCell<Pending>,
    /// [`DEADLINE`] or [`CANCELLED`] once `fired` was taken, else 0.
    why: Cell<u32>,
    /// Every task waiting on the call (a socket call's reader and its sender): the slot
    /// wakes the last to wait, which wakes the others.
    wakers: RefCell<Vec<Waker>>,
    timeout: Option<Duration>,
    armed: bool,
}

impl Abort {
    /// Arms the deadline and follows `signals`. An already aborted signal is `CANCELLED`
    /// before anything is sent.
    pub(crate) fn new(timeout: Option<Duration>, signals: &[AbortSignal]) -> Result<Abort, Status> {
        let ms = timeout
            .map(|t| t.as_secs_f64() * 1000.0)
            .filter(|&ms| ms <= MAX_TIMER_MS)
            .unwrap_or(-1.0);
        let (fired, js) = arm(ms);
        let js = js.map_err(|e| {
            Status::new(
                Code::Internal,
                detail!(
                    "AbortController failed",
                    "AbortController: {}",
                    describe(&e)
                ),
            )
        })?;
        let mut abort = Abort {
            js,
            fired: RefCell::new(fired),
            why: Cell::new(0),
            wakers: RefCell::default(),
            timeout,
            armed: true,
        };
        for signal in signals {
            if abort_follow(&abort.js, signal) {
                abort.armed = false;
                return Err(cancelled());
            }
        }
        Ok(abort)
    }

    /// Why the abort fired ([`DEADLINE`], [`CANCELLED`]), or 0.
    fn why(&self) -> u32 {
        if self.why.get() == 0 {
            if let Some((why, _)) = self.fired.borrow_mut().take() {
                self.why
                    .set(if why == DEADLINE { DEADLINE } else { CANCELLED });
            }
        }
        self.why.get()
    }

    /// Ready with the call's status once the deadline passed or a signal aborted, so a
    /// wait on JS that the abort does not end (a replaced `fetch`, a foreign stream) ends
    /// anyway.
    pub(crate) fn poll_fired(&self, cx: &mut Context<'_>) -> Poll<Status> {
        if self.why() != 0 {
            // Taken out first: waking may poll, which registers a waker again.
            let others = std::mem::take(&mut *self.wakers.borrow_mut());
            for waker in others {
                waker.wake();
            }
            return Poll::Ready(self.failure(&JsValue::UNDEFINED, |_| cancelled()));
        }
        let _ = self.fired.borrow_mut().poll(cx);
        let mut wakers = self.wakers.borrow_mut();
        if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
            // Bounded: a stream moved from task to task leaves older wakers behind.
            if wakers.len() >= 4 {
                wakers.remove(0);
            }
            wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }

    /// The controller, whose signal `fetch` gets.
    pub(crate) fn js(&self) -> &JsAbort {
        &self.js
    }

    /// The status for a rejected `fetch` or body read: the abort's reason if it fired,
    /// else `otherwise` (a network failure).
    pub(crate) fn failure(
        &self,
        error: &JsValue,
        otherwise: impl FnOnce(&JsValue) -> Status,
    ) -> Status {
        match self.why() {
            0 => otherwise(error),
            DEADLINE => Status::new(
                Code::DeadlineExceeded,
                detail!(
                    "deadline exceeded",
                    "deadline of {} exceeded",
                    describe_duration(self.timeout.unwrap_or_default())
                ),
            ),
            _ => cancelled(),
        }
    }

    /// The call ended cleanly: stop the timer and let the request be.
    pub(crate) fn disarm(&mut self) {
        self.armed = false;
        abort_end(&self.js, false);
    }
}

impl Drop for Abort {
    fn drop(&mut self) {
        abort_end(&self.js, self.armed);
    }
}

fn cancelled() -> Status {
    Status::new(
        Code::Cancelled,
        "call cancelled by the caller (AbortSignal)",
    )
}

/// Integer arithmetic only: formatting an `f64` would link the float printing code.
fn describe_duration(d: Duration) -> String {
    if d.as_secs() >= 1 {
        format!("{}.{:03} s", d.as_secs(), d.subsec_millis())
    } else {
        format!("{} ms", d.subsec_millis())
    }
}
