//! A timer future on the global `setTimeout` (windows and workers alike), cleared if
//! dropped first and cut short by the call's abort signals; and the call clock.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use web_sys::AbortSignal;

// `setTimeout`'s longest wait caps a sleep; a longer one wakes early, which callers
// tolerate (they ask the clock again).
use crate::transport::{abort_end, abort_follow, arm, JsAbort, Pending, MAX_TIMER_MS};

/// Resolves once its time has passed, or at once when one of its signals aborts. The
/// timer and the listeners are a call's abort's (JS, settling a slot), without a request.
pub(crate) struct Sleep {
    /// `None` if JS could not make one: the sleep is then over at once.
    js: Option<JsAbort>,
    fired: Pending,
    over: bool,
}

impl Sleep {
    /// A sleep of `duration` that any of `signals` cuts short (the caller then finds the
    /// signal aborted).
    pub(crate) fn until_aborted(duration: Duration, signals: &[AbortSignal]) -> Sleep {
        let (fired, js) = arm((duration.as_secs_f64() * 1000.0).min(MAX_TIMER_MS));
        let js = js.ok();
        let mut over = js.is_none();
        if let Some(js) = &js {
            for signal in signals {
                over |= abort_follow(js, signal);
            }
        }
        Sleep { js, fired, over }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.over || self.fired.poll(cx).is_ready() {
            self.over = true;
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(js) = &self.js {
            abort_end(js, false);
        }
    }
}

/// Time since `start` (`Date.now()` milliseconds), never negative.
pub(crate) fn since(start: f64) -> Duration {
    Duration::from_micros(((js_sys::Date::now() - start) * 1000.0) as u64)
}
