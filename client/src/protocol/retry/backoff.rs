//! Exponential backoff with jitter: the n-th retry waits
//! `min(initial × multiplier^(n−1), max) × random(0.8, 1.2)`.

use std::time::Duration;

use super::policy::RetryPolicy;

/// The jitter: a delay is scaled by a factor in `[1 − JITTER, 1 + JITTER]`.
pub const JITTER: f64 = 0.2;

/// The backoff of one call's retries.
#[derive(Debug, Clone)]
pub struct Backoff {
    initial: f64,
    max: f64,
    multiplier: f64,
    /// The un-jittered delay of the next retry, in seconds.
    next: f64,
}

impl Backoff {
    /// The backoff `policy` prescribes, before its first retry.
    pub fn new(policy: &RetryPolicy) -> Backoff {
        let initial = policy.initial_backoff.as_secs_f64();
        Backoff {
            initial,
            max: policy.max_backoff.as_secs_f64(),
            multiplier: policy.backoff_multiplier,
            next: initial,
        }
    }

    /// The delay before the next retry; `random` is uniform in `[0, 1)` (out-of-range
    /// values are clamped), so tests can choose it.
    pub fn next_delay(&mut self, random: f64) -> Duration {
        let base = self.next.min(self.max);
        self.next = (self.next * self.multiplier).min(self.max);
        let random = if random.is_nan() {
            0.5
        } else {
            random.clamp(0.0, 1.0)
        };
        let factor = 1.0 - JITTER + 2.0 * JITTER * random;
        Duration::try_from_secs_f64(base * factor).unwrap_or(Duration::MAX)
    }

    /// Starts over from the initial backoff, as after a server pushback.
    pub fn reset(&mut self) {
        self.next = self.initial;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

    fn policy(initial_ms: u64, max_ms: u64, multiplier: f64) -> RetryPolicy {
        RetryPolicy::new(
            5,
            Duration::from_millis(initial_ms),
            Duration::from_millis(max_ms),
            multiplier,
            &[Code::Unavailable],
        )
        .unwrap()
    }

    fn ms(d: Duration) -> f64 {
        d.as_secs_f64() * 1000.0
    }

    #[test]
    fn grows_by_the_multiplier_up_to_the_max() {
        let mut b = Backoff::new(&policy(100, 1000, 3.0));
        let at_mid: Vec<f64> = (0..4).map(|_| ms(b.next_delay(0.5)).round()).collect();
        assert_eq!(at_mid, [100.0, 300.0, 900.0, 1000.0]);
        b.reset();
        assert_eq!(ms(b.next_delay(0.5)).round(), 100.0);
    }

    #[test]
    fn jitter_spans_point_eight_to_one_point_two() {
        let mut b = Backoff::new(&policy(100, 100, 1.0));
        assert_eq!(ms(b.next_delay(0.0)).round(), 80.0);
        assert_eq!(ms(b.next_delay(1.0)).round(), 120.0);
        assert_eq!(ms(b.next_delay(7.0)).round(), 120.0);
        assert_eq!(ms(b.next_delay(f64::NAN)).round(), 100.0);
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn every_delay_is_within_the_jittered_bounds(
                initial in 1u64..10_000,
                max in 1u64..100_000,
                multiplier in 0.01f64..100.0,
                randoms in proptest::collection::vec(any::<f64>(), 1..20),
            ) {
                let mut b = Backoff::new(&policy(initial, max, multiplier));
                let mut expected = initial as f64;
                for r in randoms {
                    let base = expected.min(max as f64);
                    let got = ms(b.next_delay(r));
                    prop_assert!(got >= base * 0.8 - 1e-6 && got <= base * 1.2 + 1e-6,
                        "{got} not within 20% of {base}");
                    expected = (expected * multiplier).min(max as f64);
                }
            }
        }
    }
}
