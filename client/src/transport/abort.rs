//! One `AbortController` per call, fired by whichever comes first: the deadline, the
//! caller's `AbortSignal`, or the call being dropped. It remembers why, so a rejected
//! `fetch` or body read can be reported with the right code.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use wasm_bindgen::prelude::*;
use web_sys::{AbortController, AbortSignal};

use super::describe;
use crate::protocol::detail::detail;
use crate::protocol::status::{Code, Status};

#[wasm_bindgen]
extern "C" {
    // The globals, so deadlines work in windows and workers alike.
    #[wasm_bindgen(js_name = setTimeout)]
    pub(crate) fn set_timeout(handler: &js_sys::Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    pub(crate) fn clear_timeout(id: &JsValue);
}

/// `setTimeout` cannot wait longer than this; longer deadlines are left to the server.
pub(crate) const MAX_TIMER_MS: f64 = 2_147_483_647.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    Deadline,
    Cancelled,
}

/// Why the call was aborted, and who waits to hear it.
#[derive(Default)]
struct Fired {
    reason: Cell<Option<Reason>>,
    /// Every task waiting on the call (a socket call's reader and its sender).
    wakers: RefCell<Vec<Waker>>,
}

/// The abort side of a call. Dropping it aborts the request unless [`disarm`](Self::disarm)ed.
pub(crate) struct Abort {
    controller: AbortController,
    fired: Rc<Fired>,
    timeout: Option<Duration>,
    timer: Option<(JsValue, Closure<dyn FnMut()>)>,
    listeners: Vec<(AbortSignal, Closure<dyn FnMut()>)>,
    armed: bool,
}

impl Abort {
    /// Arms the deadline and follows `signals`. An already aborted signal is `CANCELLED`
    /// before anything is sent.
    pub(crate) fn new(timeout: Option<Duration>, signals: &[AbortSignal]) -> Result<Abort, Status> {
        let controller = AbortController::new().map_err(|e| {
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
            controller,
            fired: Rc::default(),
            timeout,
            timer: None,
            listeners: Vec::new(),
            armed: true,
        };
        for signal in signals {
            if signal.aborted() {
                abort.armed = false;
                return Err(cancelled());
            }
            let fire = abort.trigger(Reason::Cancelled);
            let _ = signal.add_event_listener_with_callback("abort", fire.as_ref().unchecked_ref());
            abort.listeners.push((signal.clone(), fire));
        }
        if let Some(t) = timeout {
            let ms = t.as_secs_f64() * 1000.0;
            if ms <= MAX_TIMER_MS {
                let fire = abort.trigger(Reason::Deadline);
                let id = set_timeout(fire.as_ref().unchecked_ref(), ms);
                abort.timer = Some((id, fire));
            }
        }
        Ok(abort)
    }

    fn trigger(&self, why: Reason) -> Closure<dyn FnMut()> {
        let controller = self.controller.clone();
        let fired = self.fired.clone();
        Closure::new(move || {
            if fired.reason.get().is_none() {
                fired.reason.set(Some(why));
                controller.abort();
                // Taken out first: waking may poll, which registers a waker again.
                let wakers = std::mem::take(&mut *fired.wakers.borrow_mut());
                for waker in wakers {
                    waker.wake();
                }
            }
        })
    }

    /// Ready with the call's status once the deadline passed or a signal aborted, so a
    /// wait on JS that the abort does not end (a replaced `fetch`, a foreign stream) ends
    /// anyway.
    pub(crate) fn poll_fired(&self, cx: &mut Context<'_>) -> Poll<Status> {
        if self.fired.reason.get().is_some() {
            return Poll::Ready(self.failure(&JsValue::UNDEFINED, |_| cancelled()));
        }
        let mut wakers = self.fired.wakers.borrow_mut();
        if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
            // Bounded: a stream moved from task to task leaves older wakers behind.
            if wakers.len() >= 4 {
                wakers.remove(0);
            }
            wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }

    /// The signal to hand to `fetch`.
    pub(crate) fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// The status for a rejected `fetch` or body read: the abort's reason if it fired,
    /// else `otherwise` (a network failure).
    pub(crate) fn failure(
        &self,
        error: &JsValue,
        otherwise: impl FnOnce(&JsValue) -> Status,
    ) -> Status {
        match self.fired.reason.get() {
            Some(Reason::Deadline) => Status::new(
                Code::DeadlineExceeded,
                detail!(
                    "deadline exceeded",
                    "deadline of {} exceeded",
                    describe_duration(self.timeout.unwrap_or_default())
                ),
            ),
            Some(Reason::Cancelled) => cancelled(),
            None => otherwise(error),
        }
    }

    /// The call ended cleanly: stop the timer and let the request be.
    pub(crate) fn disarm(&mut self) {
        self.armed = false;
        self.release();
    }

    fn release(&mut self) {
        if let Some((id, _closure)) = self.timer.take() {
            clear_timeout(&id);
        }
        for (signal, closure) in self.listeners.drain(..) {
            let _ = signal
                .remove_event_listener_with_callback("abort", closure.as_ref().unchecked_ref());
        }
    }
}

impl Drop for Abort {
    fn drop(&mut self) {
        self.release();
        if self.armed {
            self.controller.abort();
        }
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
