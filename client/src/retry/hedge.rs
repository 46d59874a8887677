//! Hedged calls: attempts in parallel on the schedule of
//! [`Hedging`](crate::protocol::retry::Hedging); the first to commit wins and the others
//! are cancelled (dropping an attempt aborts its `fetch`).

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use super::attempt::{failure, Call, Outcome};
use crate::call::CallGuard;
use crate::interceptor::RequestHead;
use crate::protocol::retry::{HedgeVerdict, Hedging, HedgingPolicy};
use crate::protocol::status::{Code, Status};
use crate::streaming::RawStream;

type Running<'a> = Vec<(u32, Pin<Box<dyn Future<Output = Outcome> + 'a>>)>;

/// Runs the call's hedged attempts to its outcome.
pub(super) async fn run<'a>(
    call: &'a Call<'a>,
    first: RequestHead,
    policy: HedgingPolicy,
    guard: &mut CallGuard,
) -> Result<RawStream, Status> {
    let mut hedging = Hedging::new(policy, call.deadline);
    let mut first = Some(first);
    let mut running: Running<'a> = Vec::new();
    let mut last: Option<(u32, Status, Option<RawStream>)> = None;
    loop {
        // Dropping the running attempts aborts them.
        if let Some(status) = call.cancelled() {
            return Err(status);
        }
        let now = call.elapsed();
        loop {
            let started = {
                let throttle = call.throttle();
                hedging.start(now, throttle.as_deref())
            };
            let Some(previous) = started else { break };
            // The first head was made (and its interceptors ran) with the call.
            let head = match first.take() {
                Some(head) => head,
                None => call.head(previous)?,
            };
            guard.set_attempts(previous + 1);
            running.push((previous + 1, Box::pin(call.attempt(head))));
        }
        if running.is_empty() && hedging.next_due().is_none() {
            return match last {
                Some((_, status, raw)) => failure(status, raw),
                None => Err(Status::new(
                    Code::DeadlineExceeded,
                    "no attempt could start before the deadline",
                )),
            };
        }
        let mut sleep = hedging
            .next_due()
            .map(|due| call.pause(due.saturating_sub(now)));
        let ended = std::future::poll_fn(|cx| {
            for (i, (_, attempt)) in running.iter_mut().enumerate() {
                if let Poll::Ready(outcome) = attempt.as_mut().poll(cx) {
                    return Poll::Ready(Some((i, outcome)));
                }
            }
            match &mut sleep {
                Some(s) => Pin::new(s).poll(cx).map(|()| None),
                None => Poll::Pending,
            }
        })
        .await;
        let Some((i, outcome)) = ended else { continue };
        let (number, _) = running.swap_remove(i);
        match outcome {
            Outcome::Committed(raw) => {
                call.record_success();
                let lost = Status::new(Code::Cancelled, format!("hedge lost to attempt {number}"));
                for (other, _) in running.drain(..) {
                    call.report(other, &lost, None);
                }
                return Ok(raw);
            }
            Outcome::Failed(status, raw) => {
                let verdict = {
                    let mut throttle = call.throttle();
                    let now = call.elapsed();
                    hedging.on_failure(
                        status.code(),
                        status.metadata(),
                        now,
                        throttle.as_deref_mut(),
                    )
                };
                if verdict == HedgeVerdict::Fatal {
                    let lost = Status::new(Code::Cancelled, format!("attempt {number} failed"));
                    for (other, _) in running.drain(..) {
                        call.report(other, &lost, None);
                    }
                    return failure(status, raw);
                }
                if let Some((earlier, status, _)) = last.replace((number, status, raw)) {
                    call.report(earlier, &status, None);
                }
            }
        }
    }
}
