//! Retry and hedging policies (gRFC A6), validated when built: what a method's calls may do
//! after a failed attempt.

use std::fmt;
use std::time::Duration;

use crate::protocol::status::Code;

/// The most attempts a call makes, the first included, whatever a policy asks: gRFC A6
/// treats larger values as this one.
pub const MAX_ATTEMPTS_CAP: u32 = 5;

/// Why a policy, throttling setting or service config was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPolicy(pub(crate) String);

impl InvalidPolicy {
    pub(crate) fn new(why: impl Into<String>) -> InvalidPolicy {
        InvalidPolicy(why.into())
    }
}

impl fmt::Display for InvalidPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid retry configuration: {}", self.0)
    }
}

impl std::error::Error for InvalidPolicy {}

/// Retries one attempt at a time after a failure whose code is retryable, waiting
/// `min(initial_backoff × multiplier^(n−1), max_backoff) × random(0.8, 1.2)` before the
/// n-th retry (or what the server's pushback says).
///
/// ```
/// use std::time::Duration;
/// use grpc_web_wasm::protocol::retry::RetryPolicy;
/// use grpc_web_wasm::Code;
///
/// let policy = RetryPolicy::new(
///     4,
///     Duration::from_millis(100),
///     Duration::from_secs(2),
///     2.0,
///     &[Code::Unavailable],
/// )
/// .unwrap();
/// assert_eq!(policy.max_attempts(), 4);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) backoff_multiplier: f64,
    pub(crate) retryable_codes: Vec<Code>,
}

impl RetryPolicy {
    /// A policy; `max_attempts` counts the first attempt, must be at least 2 and is capped
    /// at [`MAX_ATTEMPTS_CAP`]. Both backoffs and the multiplier must be positive, and at
    /// least one code retryable (`OK` cannot be).
    pub fn new(
        max_attempts: u32,
        initial_backoff: Duration,
        max_backoff: Duration,
        backoff_multiplier: f64,
        retryable_codes: &[Code],
    ) -> Result<RetryPolicy, InvalidPolicy> {
        let max_attempts = attempts(max_attempts)?;
        if initial_backoff.is_zero() || max_backoff.is_zero() {
            return Err(InvalidPolicy::new(
                "initialBackoff and maxBackoff must be positive",
            ));
        }
        // NaN fails this test too.
        if !(backoff_multiplier > 0.0 && backoff_multiplier.is_finite()) {
            return Err(InvalidPolicy::new(
                "backoffMultiplier must be a positive number",
            ));
        }
        let retryable_codes = codes(retryable_codes, "retryableStatusCodes")?;
        if retryable_codes.is_empty() {
            return Err(InvalidPolicy::new(
                "retryableStatusCodes must name at least one code",
            ));
        }
        Ok(RetryPolicy {
            max_attempts,
            initial_backoff,
            max_backoff,
            backoff_multiplier,
            retryable_codes,
        })
    }

    /// Attempts at most, the first included (capped at [`MAX_ATTEMPTS_CAP`]).
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether a failed attempt with `code` may be retried.
    pub fn retries(&self, code: Code) -> bool {
        self.retryable_codes.contains(&code)
    }
}

/// Sends the same request up to `max_attempts` times without waiting for the earlier
/// attempts to fail: a new one every `hedging_delay`, or at once after a failure whose code
/// is non-fatal. The first reply to commit wins and the others are cancelled. Only for
/// idempotent methods: the server may run the request several times.
#[derive(Debug, Clone, PartialEq)]
pub struct HedgingPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) hedging_delay: Duration,
    pub(crate) non_fatal_codes: Vec<Code>,
}

impl HedgingPolicy {
    /// A policy; `max_attempts` must be at least 2 and is capped at [`MAX_ATTEMPTS_CAP`].
    /// A zero delay sends every attempt at once.
    pub fn new(
        max_attempts: u32,
        hedging_delay: Duration,
        non_fatal_codes: &[Code],
    ) -> Result<HedgingPolicy, InvalidPolicy> {
        Ok(HedgingPolicy {
            max_attempts: attempts(max_attempts)?,
            hedging_delay,
            non_fatal_codes: codes(non_fatal_codes, "nonFatalStatusCodes")?,
        })
    }

    /// Attempts at most (capped at [`MAX_ATTEMPTS_CAP`]).
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether a failed attempt with `code` lets the others go on.
    pub fn non_fatal(&self, code: Code) -> bool {
        self.non_fatal_codes.contains(&code)
    }
}

/// What a method's calls do after a failure: retry or hedge.
#[derive(Debug, Clone, PartialEq)]
pub enum Policy {
    /// One attempt at a time.
    Retry(RetryPolicy),
    /// Attempts in parallel.
    Hedging(HedgingPolicy),
}

impl Policy {
    /// Whether an attempt ending with `code` counts as a failure for throttling: a code the
    /// policy would retry (or, hedging, let the other attempts go on after).
    pub fn counts_as_failure(&self, code: Code) -> bool {
        match self {
            Policy::Retry(p) => p.retries(code),
            Policy::Hedging(p) => p.non_fatal(code),
        }
    }
}

impl From<RetryPolicy> for Policy {
    fn from(p: RetryPolicy) -> Policy {
        Policy::Retry(p)
    }
}

impl From<HedgingPolicy> for Policy {
    fn from(p: HedgingPolicy) -> Policy {
        Policy::Hedging(p)
    }
}

fn attempts(max_attempts: u32) -> Result<u32, InvalidPolicy> {
    if max_attempts < 2 {
        return Err(InvalidPolicy::new(format!(
            "maxAttempts must be at least 2, not {max_attempts}"
        )));
    }
    Ok(max_attempts.min(MAX_ATTEMPTS_CAP))
}

fn codes(codes: &[Code], field: &str) -> Result<Vec<Code>, InvalidPolicy> {
    if codes.contains(&Code::Ok) {
        return Err(InvalidPolicy::new(format!("{field} cannot include OK")));
    }
    let mut out = codes.to_vec();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn attempts_are_validated_and_capped() {
        let p = |n| RetryPolicy::new(n, MS, MS, 2.0, &[Code::Unavailable]);
        assert!(p(0).is_err());
        assert!(p(1).is_err());
        assert_eq!(p(2).unwrap().max_attempts(), 2);
        assert_eq!(p(5).unwrap().max_attempts(), 5);
        assert_eq!(p(100).unwrap().max_attempts(), MAX_ATTEMPTS_CAP);
        assert_eq!(
            HedgingPolicy::new(9, MS, &[]).unwrap().max_attempts(),
            MAX_ATTEMPTS_CAP
        );
        assert!(HedgingPolicy::new(1, MS, &[]).is_err());
    }

    #[test]
    fn backoffs_multiplier_and_codes_are_validated() {
        let u = [Code::Unavailable];
        assert!(RetryPolicy::new(3, Duration::ZERO, MS, 2.0, &u).is_err());
        assert!(RetryPolicy::new(3, MS, Duration::ZERO, 2.0, &u).is_err());
        for m in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(RetryPolicy::new(3, MS, MS, m, &u).is_err(), "{m}");
        }
        assert!(RetryPolicy::new(3, MS, MS, 2.0, &[]).is_err());
        assert!(RetryPolicy::new(3, MS, MS, 2.0, &[Code::Ok]).is_err());
        assert!(HedgingPolicy::new(3, MS, &[Code::Ok]).is_err());
        let p = RetryPolicy::new(3, MS, MS, 1.5, &u).unwrap();
        assert!(p.retries(Code::Unavailable) && !p.retries(Code::Internal));
    }
}
