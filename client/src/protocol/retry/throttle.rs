//! Retry throttling (gRFC A6): a token bucket per target that stops retries and hedges
//! while too many attempts fail, so a fleet that is down is not hit by a retry storm.

use super::policy::InvalidPolicy;

/// Tokens are counted in thousandths: `tokenRatio` has at most three decimals.
const MILLI: u32 = 1000;

/// The throttling state of one target. Failures (attempts ending with a retryable or
/// non-fatal code) cost one token, successes add `token_ratio`; while the tokens are at or
/// below half of `max_tokens`, calls are not retried nor hedged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Throttle {
    max: u32,
    ratio: u32,
    tokens: u32,
}

impl Throttle {
    /// A full bucket. `max_tokens` must be in `1..=1000`, `token_ratio` positive (decimals
    /// past the third are ignored, as gRFC A6 says).
    pub fn new(max_tokens: u32, token_ratio: f64) -> Result<Throttle, InvalidPolicy> {
        if !(1..=1000).contains(&max_tokens) {
            return Err(InvalidPolicy::new(format!(
                "maxTokens must be in 1..=1000, not {max_tokens}"
            )));
        }
        // `as` saturates and maps NaN to 0, refused below.
        let ratio = (token_ratio * f64::from(MILLI)) as u32;
        if ratio == 0 {
            return Err(InvalidPolicy::new("tokenRatio must be at least 0.001"));
        }
        let max = max_tokens * MILLI;
        Ok(Throttle {
            max,
            ratio: ratio.min(max),
            tokens: max,
        })
    }

    /// An attempt failed: one token less.
    pub fn record_failure(&mut self) {
        self.tokens = self.tokens.saturating_sub(MILLI);
    }

    /// An attempt succeeded: `token_ratio` more, up to `max_tokens`.
    pub fn record_success(&mut self) {
        self.tokens = (self.tokens + self.ratio).min(self.max);
    }

    /// Whether retries and hedges may be sent now.
    pub fn allows_retry(&self) -> bool {
        self.tokens > self.max / 2
    }

    /// The tokens left, in thousandths.
    pub fn milli_tokens(&self) -> u32 {
        self.tokens
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_stop_at_half_and_resume_above_it() {
        let mut t = Throttle::new(10, 0.5).unwrap();
        for _ in 0..4 {
            t.record_failure();
            assert!(t.allows_retry());
        }
        t.record_failure(); // 5 of 10: at half, stopped
        assert!(!t.allows_retry());
        t.record_success(); // 5.5
        assert!(t.allows_retry());
        for _ in 0..20 {
            t.record_failure();
        }
        assert_eq!(t.milli_tokens(), 0);
        for _ in 0..100 {
            t.record_success();
        }
        assert_eq!(t.milli_tokens(), 10_000);
    }

    #[test]
    fn settings_are_validated() {
        assert!(Throttle::new(0, 1.0).is_err());
        assert!(Throttle::new(1001, 1.0).is_err());
        for r in [0.0, 0.0009, -1.0, f64::NAN] {
            assert!(Throttle::new(10, r).is_err(), "{r}");
        }
        assert!(Throttle::new(1000, f64::INFINITY).is_ok());
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn tokens_stay_within_the_bucket(
                max in 1u32..=1000,
                ratio in 0.001f64..50.0,
                events in proptest::collection::vec(any::<bool>(), 0..300),
            ) {
                let mut t = Throttle::new(max, ratio).unwrap();
                for ok in events {
                    if ok { t.record_success() } else { t.record_failure() }
                    prop_assert!(t.milli_tokens() <= max * MILLI);
                    prop_assert_eq!(t.allows_retry(), t.milli_tokens() > max * MILLI / 2);
                }
            }
        }
    }
}
