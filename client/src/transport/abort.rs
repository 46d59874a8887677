//! One `AbortController` per call, fired by whichever comes first: the deadline, the
//! caller's `AbortSignal`, or the call being dropped. It remembers why, so a rejected
//! `fetch` or body read can be reported with the right code.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use wasm_bindgen::prelude::*;
use web_sys::{AbortController, AbortSignal};

use super::describe;
use crate::protocol::status::{Code, Status};

#[wasm_bindgen]
extern "C" {
    // The globals, so deadlines work in windows and workers alike.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// `setTimeout` cannot wait longer than this; longer deadlines are left to the server.
const MAX_TIMER_MS: f64 = 2_147_483_647.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    Deadline,
    Cancelled,
}

/// The abort side of a call. Dropping it aborts the request unless [`disarm`](Self::disarm)ed.
pub(crate) struct Abort {
    controller: AbortController,
    reason: Rc<Cell<Option<Reason>>>,
    timeout: Option<Duration>,
    timer: Option<(JsValue, Closure<dyn FnMut()>)>,
    listener: Option<(AbortSignal, Closure<dyn FnMut()>)>,
    armed: bool,
}

impl Abort {
    /// Arms the deadline and follows `signal`. An already aborted signal is `CANCELLED`
    /// before anything is sent.
    pub(crate) fn new(
        timeout: Option<Duration>,
        signal: Option<&AbortSignal>,
    ) -> Result<Abort, Status> {
        let controller = AbortController::new().map_err(|e| {
            Status::new(Code::Internal, format!("AbortController: {}", describe(&e)))
        })?;
        let reason = Rc::new(Cell::new(None));
        let mut abort = Abort {
            controller,
            reason,
            timeout,
            timer: None,
            listener: None,
            armed: true,
        };
        if let Some(signal) = signal {
            if signal.aborted() {
                abort.armed = false;
                return Err(cancelled());
            }
            let fire = abort.trigger(Reason::Cancelled);
            let _ = signal.add_event_listener_with_callback("abort", fire.as_ref().unchecked_ref());
            abort.listener = Some((signal.clone(), fire));
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
        let reason = self.reason.clone();
        Closure::new(move || {
            if reason.get().is_none() {
                reason.set(Some(why));
                controller.abort();
            }
        })
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
        otherwise: impl FnOnce(String) -> Status,
    ) -> Status {
        match self.reason.get() {
            Some(Reason::Deadline) => Status::new(
                Code::DeadlineExceeded,
                format!(
                    "deadline of {} exceeded",
                    describe_duration(self.timeout.unwrap_or_default())
                ),
            ),
            Some(Reason::Cancelled) => cancelled(),
            None => otherwise(describe(error)),
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
        if let Some((signal, closure)) = self.listener.take() {
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
