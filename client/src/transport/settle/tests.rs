//! The slot table's rules, natively: no browser is needed to check them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Wake;

use super::*;

struct Count(AtomicUsize);
impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn waker() -> (Arc<Count>, Waker) {
    let count = Arc::new(Count(AtomicUsize::new(0)));
    (count.clone(), Waker::from(count))
}

#[test]
fn an_outcome_reaches_its_waiter_once() {
    let mut slots = Slots::default();
    let (woken, w) = waker();
    let id = slots.open();
    assert!(slots.poll(id, &w).is_pending());
    assert!(slots.settle(id, FULFILLED, JsValue::UNDEFINED).is_some());
    // A second settle (a thenable calling both callbacks) is ignored.
    assert!(slots.settle(id, REJECTED, JsValue::UNDEFINED).is_none());
    assert!(matches!(slots.poll(id, &w), Poll::Ready((FULFILLED, _))));
    assert_eq!(slots.open_count(), 0);
    assert_eq!(woken.0.load(Ordering::SeqCst), 0, "waking is the caller's");
    // After the slot is taken, late outcomes find nothing.
    assert!(slots.settle(id, FULFILLED, JsValue::UNDEFINED).is_none());
    assert!(slots.poll(id, &w).is_pending());
}

#[test]
fn a_reused_slot_ignores_its_previous_operation() {
    let mut slots = Slots::default();
    let (_, w) = waker();
    let old = slots.open();
    slots.close(old); // the waiter went away
    let new = slots.open();
    assert_eq!(old.index, new.index, "the slot is reused");
    assert!(slots.settle(old, FULFILLED, JsValue::UNDEFINED).is_none());
    assert!(
        slots.poll(new, &w).is_pending(),
        "the old outcome never reaches it"
    );
    assert!(
        slots.settle(new, REJECTED, JsValue::UNDEFINED).is_some(),
        "wakes its waiter"
    );
    assert!(matches!(slots.poll(new, &w), Poll::Ready((REJECTED, _))));
}

#[test]
fn ids_round_trip_and_forgeries_are_refused() {
    for id in [
        Id {
            index: 0,
            generation: 0,
        },
        Id {
            index: 7,
            generation: GENERATIONS - 1,
        },
        Id {
            index: u32::MAX,
            generation: 3,
        },
    ] {
        assert_eq!(Id::from_js(id.to_js()), Some(id));
    }
    for bad in [-1.0, 0.5, f64::NAN, f64::INFINITY, 1e300] {
        assert_eq!(Id::from_js(bad), None, "{bad}");
    }
    let mut slots = Slots::default();
    let id = slots.open();
    let forged = Id {
        index: id.index + 5,
        generation: 0,
    };
    assert!(slots
        .settle(forged, FULFILLED, JsValue::UNDEFINED)
        .is_none());
}

#[test]
fn take_finds_only_a_settled_outcome() {
    let mut slots = Slots::default();
    let id = slots.open();
    assert!(slots.take(id).is_none(), "still waiting");
    slots.settle(id, 2, JsValue::UNDEFINED);
    assert!(matches!(slots.take(id), Some((2, _))));
    assert_eq!(slots.open_count(), 0, "taking closes the slot");
    assert!(slots.take(id).is_none());
}

#[test]
fn settling_before_the_first_poll_is_kept() {
    let mut slots = Slots::default();
    let (_, w) = waker();
    let id = slots.open();
    assert!(
        slots.settle(id, 4, JsValue::UNDEFINED).is_none(),
        "no waker yet"
    );
    assert!(matches!(slots.poll(id, &w), Poll::Ready((4, _))));
}

#[test]
fn generations_wrap_without_overflow() {
    let mut slots = Slots::default();
    let mut id = slots.open();
    slots.slots[0].generation = GENERATIONS - 1;
    id.generation = GENERATIONS - 1;
    slots.close(id);
    assert_eq!(slots.open().generation, 0);
}
