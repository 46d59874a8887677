//! The hedging schedule driven on a fake clock.

use super::*;
use crate::protocol::retry::pushback::PUSHBACK_HEADER;

const MS: Duration = Duration::from_millis(1);

fn policy(max_attempts: u32, delay_ms: u64) -> HedgingPolicy {
    HedgingPolicy::new(
        max_attempts,
        Duration::from_millis(delay_ms),
        &[Code::Unavailable],
    )
    .unwrap()
}

fn none() -> MetadataMap {
    MetadataMap::new()
}

#[test]
fn attempts_start_every_hedging_delay_up_to_max() {
    let mut h = Hedging::new(policy(3, 50), None);
    assert_eq!(h.start(Duration::ZERO, None), Some(0));
    assert_eq!(h.next_due(), Some(50 * MS));
    assert_eq!(h.start(49 * MS, None), None);
    assert_eq!(h.start(50 * MS, None), Some(1));
    assert_eq!(h.start(100 * MS, None), Some(2));
    assert_eq!(h.next_due(), None);
    assert_eq!(h.start(500 * MS, None), None);
    assert_eq!(h.started(), 3);
}

#[test]
fn a_non_fatal_failure_brings_the_next_attempt_forward() {
    let mut h = Hedging::new(policy(3, 1000), None);
    h.start(Duration::ZERO, None);
    assert_eq!(
        h.on_failure(Code::Unavailable, &none(), 20 * MS, None),
        HedgeVerdict::Continue
    );
    assert_eq!(h.next_due(), Some(20 * MS));
    assert_eq!(h.start(20 * MS, None), Some(1));
    assert_eq!(
        h.on_failure(Code::Internal, &none(), 30 * MS, None),
        HedgeVerdict::Fatal
    );
}

#[test]
fn pushback_delays_or_stops_the_hedges() {
    let mut h = Hedging::new(policy(4, 1000), None);
    h.start(Duration::ZERO, None);
    let mut trailers = MetadataMap::new();
    trailers.push_received(PUSHBACK_HEADER, "70");
    h.on_failure(Code::Unavailable, &trailers, 10 * MS, None);
    assert_eq!(h.next_due(), Some(80 * MS));
    let mut refuse = MetadataMap::new();
    refuse.push_received(PUSHBACK_HEADER, "-1");
    h.on_failure(Code::Unavailable, &refuse, 20 * MS, None);
    assert_eq!(h.next_due(), None);
}

#[test]
fn throttling_and_the_deadline_hold_back_hedges_but_not_the_first_attempt() {
    let mut throttle = Throttle::new(2, 0.5).unwrap();
    throttle.record_failure();
    assert!(!throttle.allows_retry());
    let mut h = Hedging::new(policy(3, 0), None);
    assert_eq!(h.start(Duration::ZERO, Some(&throttle)), Some(0));
    assert_eq!(h.start(Duration::ZERO, Some(&throttle)), None);
    assert_eq!(h.next_due(), None);

    let mut h = Hedging::new(policy(3, 100), Some(150 * MS));
    assert_eq!(h.start(Duration::ZERO, None), Some(0));
    assert_eq!(h.start(100 * MS, None), Some(1));
    assert_eq!(h.start(200 * MS, None), None);
    assert_eq!(h.next_due(), None);
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever fails and whenever the clock is read, no more than `max_attempts`
        /// start, never past the deadline, and never before they are due.
        #[test]
        fn the_schedule_keeps_its_bounds(
            max_attempts in 2u32..9,
            delay in 0u64..300,
            deadline in proptest::option::of(1u64..2000),
            events in proptest::collection::vec((0u64..200, any::<bool>(), 0u8..3), 0..40),
        ) {
            let mut h = Hedging::new(policy(max_attempts, delay), deadline.map(Duration::from_millis));
            let mut now = Duration::ZERO;
            for (step, failure, push) in events {
                now += Duration::from_millis(step);
                let due = h.next_due();
                if h.start(now, None).is_some() {
                    prop_assert!(due.is_some_and(|d| d <= now));
                    prop_assert!(deadline.is_none_or(|d| now < Duration::from_millis(d)));
                }
                if failure && h.started() > 0 {
                    let mut t = MetadataMap::new();
                    match push {
                        0 => {}
                        1 => t.push_received(PUSHBACK_HEADER, "15"),
                        _ => t.push_received(PUSHBACK_HEADER, "x"),
                    }
                    h.on_failure(Code::Unavailable, &t, now, None);
                }
                prop_assert!(h.started() <= max_attempts.min(5));
            }
        }
    }
}
