//! A timer future on the global `setTimeout` (windows and workers alike), cleared if
//! dropped first and cut short by the call's abort signals; and the call clock.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

// `setTimeout`'s longest wait caps a sleep; a longer one wakes early, which callers
// tolerate (they ask the clock again).
use crate::transport::{clear_timeout, set_timeout, MAX_TIMER_MS};

#[derive(Default)]
struct Shared {
    fired: Cell<bool>,
    waker: Cell<Option<Waker>>,
}

/// Resolves once its time has passed, or at once when one of its signals aborts.
pub(crate) struct Sleep {
    shared: Rc<Shared>,
    timer: Option<(JsValue, Closure<dyn FnMut()>)>,
    listeners: Vec<(AbortSignal, Closure<dyn FnMut()>)>,
}

impl Sleep {
    /// A sleep of `duration` that any of `signals` cuts short (the caller then finds the
    /// signal aborted).
    pub(crate) fn until_aborted(duration: Duration, signals: &[AbortSignal]) -> Sleep {
        let shared = Rc::new(Shared::default());
        let fire = || {
            let shared = shared.clone();
            Closure::<dyn FnMut()>::new(move || {
                shared.fired.set(true);
                if let Some(w) = shared.waker.take() {
                    w.wake();
                }
            })
        };
        let ms = (duration.as_secs_f64() * 1000.0).min(MAX_TIMER_MS);
        let timer = fire();
        let id = set_timeout(timer.as_ref().unchecked_ref(), ms);
        let mut listeners = Vec::new();
        for signal in signals {
            if signal.aborted() {
                shared.fired.set(true);
            }
            let closure = fire();
            let _ =
                signal.add_event_listener_with_callback("abort", closure.as_ref().unchecked_ref());
            listeners.push((signal.clone(), closure));
        }
        Sleep {
            shared,
            timer: Some((id, timer)),
            listeners,
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.shared.fired.get() {
            return Poll::Ready(());
        }
        self.shared.waker.set(Some(cx.waker().clone()));
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some((id, _closure)) = self.timer.take() {
            clear_timeout(&id);
        }
        for (signal, closure) in self.listeners.drain(..) {
            let _ = signal
                .remove_event_listener_with_callback("abort", closure.as_ref().unchecked_ref());
        }
    }
}

/// Time since `start` (`Date.now()` milliseconds), never negative.
pub(crate) fn since(start: f64) -> Duration {
    Duration::from_micros(((js_sys::Date::now() - start) * 1000.0) as u64)
}
