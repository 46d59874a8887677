//! The retry decision of one call: after each failed attempt, whether to try again and
//! when. Time is passed in (the time since the call started), so tests run on a fake clock.

use std::time::Duration;

use super::backoff::Backoff;
use super::policy::RetryPolicy;
use super::pushback::Pushback;
use super::throttle::Throttle;
use crate::protocol::metadata::MetadataMap;
use crate::protocol::status::Code;

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Start the next attempt after this delay.
    RetryAfter(Duration),
    /// Give the caller this attempt's status.
    Stop(Stop),
}

/// Why a call is not retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The code is not retryable under the policy.
    NotRetryable,
    /// `maxAttempts` were made.
    Exhausted,
    /// The server's pushback said not to retry.
    Pushback,
    /// The target's throttling tokens are at or below half.
    Throttled,
    /// The next attempt would start at or past the call's deadline.
    Deadline,
}

/// The retry state of one call under a [`RetryPolicy`]. The request stays buffered by the
/// caller until an attempt commits (its response headers arrived); a committed attempt
/// is never retried, so only uncommitted failures come here.
#[derive(Debug, Clone)]
pub struct Retrying {
    policy: RetryPolicy,
    backoff: Backoff,
    attempts: u32,
    deadline: Option<Duration>,
}

impl Retrying {
    /// The state once the first attempt started; `deadline` is the call's, measured from
    /// its start, and spans every attempt.
    pub fn new(policy: RetryPolicy, deadline: Option<Duration>) -> Retrying {
        Retrying {
            backoff: Backoff::new(&policy),
            policy,
            attempts: 1,
            deadline,
        }
    }

    /// Attempts started so far, the first included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// An uncommitted attempt failed with `code` and `trailers` at time `now`; `random` is
    /// uniform in `[0, 1)` for the jitter. A retryable failure costs the throttle a token.
    /// On [`Decision::RetryAfter`] the next attempt counts as started.
    pub fn on_failure(
        &mut self,
        code: Code,
        trailers: &MetadataMap,
        now: Duration,
        throttle: Option<&mut Throttle>,
        random: f64,
    ) -> Decision {
        if !self.policy.retries(code) {
            return Decision::Stop(Stop::NotRetryable);
        }
        let allowed = match throttle {
            Some(t) => {
                t.record_failure();
                t.allows_retry()
            }
            None => true,
        };
        let pushback = Pushback::from_trailers(trailers);
        if pushback == Pushback::DoNotRetry {
            return Decision::Stop(Stop::Pushback);
        }
        if self.attempts >= self.policy.max_attempts {
            return Decision::Stop(Stop::Exhausted);
        }
        if !allowed {
            return Decision::Stop(Stop::Throttled);
        }
        let delay = match pushback {
            Pushback::RetryAfter(delay) => {
                self.backoff.reset();
                delay
            }
            _ => self.backoff.next_delay(random),
        };
        if let Some(deadline) = self.deadline {
            if now.saturating_add(delay) >= deadline {
                return Decision::Stop(Stop::Deadline);
            }
        }
        self.attempts += 1;
        Decision::RetryAfter(delay)
    }
}

#[cfg(test)]
mod tests;
