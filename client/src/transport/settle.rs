//! Awaiting JS promises without making closures per promise: every promise the transport
//! waits on settles into one callback, made once, that finds its waiter by address.

use std::cell::RefCell;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use wasm_bindgen::prelude::*;

/// The shared callback: `settle(slot, kind, value)`.
pub(crate) type Settle = Closure<dyn FnMut(usize, u32, JsValue)>;

/// `kind` of a fulfilled promise whose value is the answer.
pub(crate) const FULFILLED: u32 = 1;
/// `kind` of a rejected promise (or a helper that threw); the value is the error.
pub(crate) const REJECTED: u32 = 3;

#[derive(Default)]
struct Slot {
    outcome: Option<(u32, JsValue)>,
    waker: Option<Waker>,
}

thread_local! {
    static SETTLE: Settle = Closure::new(|slot: usize, kind: u32, value: JsValue| {
        // SAFETY: `slot` is the address `Pending::start` took from `Rc::into_raw`, and every
        // helper handed it calls `settle` exactly once for it (a promise's `then` with both
        // callbacks, or its own `catch`), so this reclaims that one reference exactly once.
        let slot = unsafe { Rc::from_raw(slot as *const RefCell<Slot>) };
        let waker = {
            let mut slot = slot.borrow_mut();
            slot.outcome = Some((kind, value));
            slot.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    });
}

/// One JS operation at a time, awaited. Dropping it while one is out is safe: the slot
/// lives until the operation settles.
#[derive(Default)]
pub(crate) struct Pending {
    slot: Rc<RefCell<Slot>>,
    out: bool,
}

impl Pending {
    /// Starts an operation: `start` gets the shared callback and the slot's address, and
    /// must arrange for `settle(slot, kind, value)` to be called exactly once.
    pub(crate) fn start(&mut self, start: impl FnOnce(&Settle, usize)) {
        debug_assert!(!self.out, "an operation is already out");
        let slot = Rc::into_raw(self.slot.clone()) as usize;
        self.out = true;
        SETTLE.with(|settle| start(settle, slot));
    }

    /// Whether an operation is out and its outcome not yet taken.
    pub(crate) fn is_out(&self) -> bool {
        self.out
    }

    /// The outcome, `(kind, value)`, once the operation settled.
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<(u32, JsValue)> {
        let mut slot = self.slot.borrow_mut();
        match slot.outcome.take() {
            Some(outcome) => {
                self.out = false;
                Poll::Ready(outcome)
            }
            None => {
                match &slot.waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => slot.waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        }
    }
}
