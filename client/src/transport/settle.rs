//! Awaiting JS promises without making closures per promise: every promise the transport
//! waits on settles into one callback, made once, that finds its waiter in a slot table by
//! index and generation.
//!
//! Nothing here trusts the JS side: a helper (or a page's own `fetch`) that settles twice,
//! settles after its waiter is gone, or passes back an id it was never given is ignored,
//! because a slot is looked up by index *and* generation and freed (its generation bumped)
//! as soon as its waiter takes the outcome or goes away. No `unsafe`, no reference handed
//! to JS.

use std::cell::RefCell;
use std::task::{Context, Poll, Waker};

use wasm_bindgen::prelude::*;

/// The shared callback: `settle(id, kind, value)`.
pub(crate) type Settle = Closure<dyn FnMut(f64, u32, JsValue)>;

/// `kind` of a fulfilled promise whose value is the answer.
pub(crate) const FULFILLED: u32 = 1;
/// `kind` of a rejected promise (or a helper that threw); the value is the error.
pub(crate) const REJECTED: u32 = 3;

/// A slot's id as JS sees it: `generation * 2^32 + index`, exact in an f64 for 2^21
/// generations per slot, after which a slot's generation wraps (no slot is ever 2^21
/// operations behind its own waiter).
const INDEX_SPAN: f64 = 4_294_967_296.0;
const GENERATIONS: u32 = 1 << 21;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Id {
    index: u32,
    generation: u32,
}

impl Id {
    fn to_js(self) -> f64 {
        f64::from(self.generation) * INDEX_SPAN + f64::from(self.index)
    }

    /// `None` for anything that is not an id this table could have made.
    fn from_js(id: f64) -> Option<Id> {
        if !(id >= 0.0 && id < f64::from(GENERATIONS) * INDEX_SPAN && id.fract() == 0.0) {
            return None;
        }
        Some(Id {
            index: (id % INDEX_SPAN) as u32,
            generation: (id / INDEX_SPAN) as u32,
        })
    }
}

#[derive(Debug)]
enum State {
    Free,
    Waiting(Option<Waker>),
    Settled(u32, JsValue),
}

#[derive(Debug)]
struct Slot {
    generation: u32,
    state: State,
}

/// The waiters, by index; free slots are reused, newest first.
#[derive(Debug, Default)]
pub(crate) struct Slots {
    slots: Vec<Slot>,
    free: Vec<u32>,
}

impl Slots {
    pub(crate) fn open(&mut self) -> Id {
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    state: State::Free,
                });
                (self.slots.len() - 1) as u32
            }
        };
        let slot = &mut self.slots[index as usize];
        slot.state = State::Waiting(None);
        Id {
            index,
            generation: slot.generation,
        }
    }

    fn slot(&mut self, id: Id) -> Option<&mut Slot> {
        self.slots
            .get_mut(id.index as usize)
            .filter(|s| s.generation == id.generation)
    }

    /// Records an outcome; the waker to wake, if the slot was waiting. Outcomes for a slot
    /// that settled already, was closed, or never existed are dropped.
    pub(crate) fn settle(&mut self, id: Id, kind: u32, value: JsValue) -> Option<Waker> {
        let slot = self.slot(id)?;
        match std::mem::replace(&mut slot.state, State::Settled(kind, value)) {
            State::Waiting(waker) => waker,
            other => {
                slot.state = other;
                None
            }
        }
    }

    /// The outcome once settled (closing the slot), else registers `waker`.
    pub(crate) fn poll(&mut self, id: Id, waker: &Waker) -> Poll<(u32, JsValue)> {
        if let Some(outcome) = self.take(id) {
            return Poll::Ready(outcome);
        }
        if let Some(Slot {
            state: State::Waiting(w),
            ..
        }) = self.slot(id)
        {
            match w {
                Some(w) if w.will_wake(waker) => {}
                _ => *w = Some(waker.clone()),
            }
        }
        Poll::Pending
    }

    /// The outcome if settled (closing the slot), registering no waker.
    pub(crate) fn take(&mut self, id: Id) -> Option<(u32, JsValue)> {
        let slot = self.slot(id)?;
        if !matches!(slot.state, State::Settled(..)) {
            return None;
        }
        match std::mem::replace(&mut slot.state, State::Free) {
            State::Settled(kind, value) => {
                self.close(id);
                Some((kind, value))
            }
            _ => None,
        }
    }

    /// Frees the slot: whatever settles for `id` later is ignored.
    pub(crate) fn close(&mut self, id: Id) {
        if let Some(slot) = self.slot(id) {
            slot.state = State::Free;
            slot.generation = (slot.generation + 1) % GENERATIONS;
            self.free.push(id.index);
        }
    }

    #[cfg(test)]
    fn open_count(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}

thread_local! {
    static SLOTS: RefCell<Slots> = RefCell::new(Slots::default());
    static SETTLE: Settle = Closure::new(|id: f64, kind: u32, value: JsValue| {
        let Some(id) = Id::from_js(id) else { return };
        // The borrow ends before waking: a waker may poll again.
        let waker = SLOTS.with(|s| s.borrow_mut().settle(id, kind, value));
        if let Some(waker) = waker {
            waker.wake();
        }
    });
}

/// One JS operation at a time, awaited. Dropping it while one is out frees its slot, so a
/// late outcome is dropped.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    id: Option<Id>,
}

impl Pending {
    /// Starts an operation: `start` gets the shared callback and the slot's id, and should
    /// arrange for `settle(id, kind, value)` to be called once (more calls are ignored).
    pub(crate) fn start(&mut self, start: impl FnOnce(&Settle, f64)) {
        self.cancel();
        let id = SLOTS.with(|s| s.borrow_mut().open());
        self.id = Some(id);
        // No borrow is held here: `start` may settle synchronously.
        SETTLE.with(|settle| start(settle, id.to_js()));
    }

    /// Whether an operation is out and its outcome not yet taken.
    pub(crate) fn is_out(&self) -> bool {
        self.id.is_some()
    }

    /// The outcome, `(kind, value)`, once the operation settled.
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<(u32, JsValue)> {
        let Some(id) = self.id else {
            return Poll::Pending;
        };
        let outcome = SLOTS.with(|s| s.borrow_mut().poll(id, cx.waker()));
        if outcome.is_ready() {
            self.id = None;
        }
        outcome
    }

    /// The outcome if the operation settled, without waiting for it.
    pub(crate) fn take(&mut self) -> Option<(u32, JsValue)> {
        let outcome = SLOTS.with(|s| s.borrow_mut().take(self.id?))?;
        self.id = None;
        Some(outcome)
    }

    fn cancel(&mut self) {
        if let Some(id) = self.id.take() {
            SLOTS.with(|s| s.borrow_mut().close(id));
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.cancel();
    }
}

#[cfg(test)]
mod tests;
