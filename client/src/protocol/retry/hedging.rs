//! The hedging schedule of one call: when each attempt starts, and whether a failed one
//! ends the call. Time is passed in (since the call started), so tests use a fake clock.

use std::time::Duration;

use super::policy::HedgingPolicy;
use super::pushback::Pushback;
use super::throttle::Throttle;
use crate::protocol::metadata::MetadataMap;
use crate::protocol::status::Code;

/// What a failed hedged attempt means for the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HedgeVerdict {
    /// A fatal code: the call ends with this status and the other attempts are cancelled.
    Fatal,
    /// Non-fatal: the other attempts go on, and the next one may start sooner.
    Continue,
}

/// The hedging state of one call under a [`HedgingPolicy`].
#[derive(Debug, Clone)]
pub struct Hedging {
    policy: HedgingPolicy,
    started: u32,
    next_due: Option<Duration>,
    deadline: Option<Duration>,
}

impl Hedging {
    /// Nothing started yet: the first attempt is due at once. `deadline` is the call's.
    pub fn new(policy: HedgingPolicy, deadline: Option<Duration>) -> Hedging {
        Hedging {
            policy,
            started: 0,
            next_due: Some(Duration::ZERO),
            deadline,
        }
    }

    /// Attempts started so far.
    pub fn started(&self) -> u32 {
        self.started
    }

    /// When the next attempt is due, if another one may start.
    pub fn next_due(&self) -> Option<Duration> {
        self.next_due
    }

    /// Starts the next attempt if it is due at `now`: returns how many attempts came before
    /// it (for `grpc-previous-rpc-attempts`). Hedges after the first are not sent while the
    /// throttle holds them back, nor at or past the deadline; then no more will be.
    pub fn start(&mut self, now: Duration, throttle: Option<&Throttle>) -> Option<u32> {
        let due = self.next_due?;
        if now < due {
            return None;
        }
        let held = self.started > 0 && throttle.is_some_and(|t| !t.allows_retry());
        let late = self.deadline.is_some_and(|d| now >= d);
        if held || late {
            self.next_due = None;
            return None;
        }
        let previous = self.started;
        self.started += 1;
        self.next_due = (self.started < self.policy.max_attempts)
            .then(|| now.saturating_add(self.policy.hedging_delay));
        Some(previous)
    }

    /// An attempt failed (before committing) with `code` and `trailers` at `now`. A
    /// non-fatal failure costs the throttle a token and brings the next attempt forward to
    /// now, or to when the server's pushback says; a pushback that refuses retries stops
    /// further hedges.
    pub fn on_failure(
        &mut self,
        code: Code,
        trailers: &MetadataMap,
        now: Duration,
        throttle: Option<&mut Throttle>,
    ) -> HedgeVerdict {
        if !self.policy.non_fatal(code) {
            return HedgeVerdict::Fatal;
        }
        if let Some(t) = throttle {
            t.record_failure();
        }
        if self.next_due.is_some() {
            self.next_due = match Pushback::from_trailers(trailers) {
                Pushback::DoNotRetry => None,
                Pushback::RetryAfter(delay) => Some(now.saturating_add(delay)),
                Pushback::Absent => Some(now),
            };
        }
        HedgeVerdict::Continue
    }
}

#[cfg(test)]
mod tests;
