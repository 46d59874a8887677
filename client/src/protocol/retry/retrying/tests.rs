//! The retry decision driven on a fake clock: scripted attempts, each taking some time and
//! failing or committing, as a transport would run them.

use super::*;
use crate::protocol::retry::pushback::PUSHBACK_HEADER;

const MS: Duration = Duration::from_millis(1);

fn policy(max_attempts: u32, codes: &[Code]) -> RetryPolicy {
    RetryPolicy::new(max_attempts, 100 * MS, 1000 * MS, 2.0, codes).unwrap()
}

/// One scripted attempt: how long it runs, and how it ends (`None`: it commits).
#[derive(Debug, Clone)]
struct Attempt {
    runs: Duration,
    fails: Option<(Code, Option<&'static str>)>,
}

fn fail(code: Code) -> Attempt {
    Attempt {
        runs: 10 * MS,
        fails: Some((code, None)),
    }
}

fn pushback(value: &'static str) -> Attempt {
    Attempt {
        runs: 10 * MS,
        fails: Some((Code::Unavailable, Some(value))),
    }
}

fn commit() -> Attempt {
    Attempt {
        runs: 10 * MS,
        fails: None,
    }
}

/// What a call did on the fake clock.
#[derive(Debug, PartialEq)]
struct Run {
    /// When each attempt started.
    starts: Vec<Duration>,
    /// `None` if an attempt committed.
    stop: Option<Stop>,
}

fn run(
    policy: RetryPolicy,
    deadline: Option<Duration>,
    script: &[Attempt],
    mut throttle: Option<&mut Throttle>,
) -> Run {
    let mut clock = Duration::ZERO;
    let mut retrying = Retrying::new(policy, deadline);
    let mut starts = vec![];
    for attempt in script {
        starts.push(clock);
        clock += attempt.runs;
        let Some((code, push)) = attempt.fails else {
            return Run { starts, stop: None };
        };
        let mut trailers = MetadataMap::new();
        if let Some(v) = push {
            trailers.push_received(PUSHBACK_HEADER, v);
        }
        match retrying.on_failure(code, &trailers, clock, throttle.as_deref_mut(), 0.5) {
            Decision::RetryAfter(delay) => clock += delay,
            Decision::Stop(stop) => {
                return Run {
                    starts,
                    stop: Some(stop),
                }
            }
        }
        assert_eq!(retrying.attempts() as usize, starts.len() + 1);
    }
    panic!("the script ran out: {starts:?}");
}

#[test]
fn retries_with_backoff_until_an_attempt_commits() {
    let got = run(
        policy(5, &[Code::Unavailable]),
        None,
        &[fail(Code::Unavailable), fail(Code::Unavailable), commit()],
        None,
    );
    // 10 ms attempts; 100 ms then 200 ms of backoff at the jitter's midpoint.
    assert_eq!(got.starts, [Duration::ZERO, 110 * MS, 320 * MS]);
    assert_eq!(got.stop, None);
}

#[test]
fn stops_on_codes_not_retryable_and_after_max_attempts() {
    let u = Code::Unavailable;
    let got = run(policy(5, &[u]), None, &[fail(Code::Internal)], None);
    assert_eq!(
        got,
        Run {
            starts: vec![Duration::ZERO],
            stop: Some(Stop::NotRetryable)
        }
    );
    let got = run(
        policy(3, &[u]),
        None,
        &[fail(u), fail(u), fail(u), commit()],
        None,
    );
    assert_eq!(got.starts.len(), 3);
    assert_eq!(got.stop, Some(Stop::Exhausted));
}

#[test]
fn pushback_sets_the_delay_and_restarts_the_backoff() {
    let u = Code::Unavailable;
    let got = run(
        policy(5, &[u]),
        None,
        &[fail(u), fail(u), pushback("30"), fail(u), commit()],
        None,
    );
    // backoff 100, 200; then exactly 30; then the backoff starts over at 100.
    assert_eq!(
        got.starts,
        [Duration::ZERO, 110 * MS, 320 * MS, 360 * MS, 470 * MS]
    );
    for refusal in ["-1", "soon"] {
        let got = run(policy(5, &[u]), None, &[pushback(refusal), commit()], None);
        assert_eq!(got.stop, Some(Stop::Pushback), "{refusal}");
    }
}

#[test]
fn the_deadline_spans_every_attempt() {
    let u = Code::Unavailable;
    // Attempts end at 10, 120 and 330 ms; a retry after the third would start at 730 ms.
    let script = [fail(u), fail(u), fail(u), commit()];
    let got = run(policy(5, &[u]), Some(700 * MS), &script, None);
    assert_eq!(got.starts.len(), 3);
    assert_eq!(got.stop, Some(Stop::Deadline));
    let got = run(policy(5, &[u]), Some(731 * MS), &script, None);
    assert_eq!(got.stop, None);
}

#[test]
fn throttling_stops_retries_of_every_call_on_the_target() {
    let u = Code::Unavailable;
    let mut throttle = Throttle::new(4, 0.1).unwrap();
    // 4 tokens: the first failure leaves 3 (> 2), the second 2 (stopped).
    let got = run(
        policy(5, &[u]),
        None,
        &[fail(u), fail(u), commit()],
        Some(&mut throttle),
    );
    assert_eq!(got.stop, Some(Stop::Throttled));
    assert_eq!(got.starts.len(), 2);
    let got = run(
        policy(5, &[u]),
        None,
        &[fail(u), commit()],
        Some(&mut throttle),
    );
    assert_eq!(got.stop, Some(Stop::Throttled));
    assert_eq!(got.starts.len(), 1);
    // Non-retryable failures do not cost tokens.
    let before = throttle.milli_tokens();
    run(
        policy(5, &[u]),
        None,
        &[fail(Code::NotFound)],
        Some(&mut throttle),
    );
    assert_eq!(throttle.milli_tokens(), before);
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn attempt() -> impl Strategy<Value = Attempt> {
        (
            0u64..500,
            prop_oneof![
                Just(None),
                Just(Some((Code::Unavailable, None))),
                Just(Some((Code::Internal, None))),
                Just(Some((Code::Unavailable, Some("20")))),
                Just(Some((Code::Unavailable, Some("-5")))),
            ],
        )
            .prop_map(|(ms, fails)| Attempt {
                runs: Duration::from_millis(ms),
                fails,
            })
    }

    proptest! {
        #[test]
        fn attempts_never_exceed_the_policy_nor_start_past_the_deadline(
            max_attempts in 2u32..9,
            deadline_ms in proptest::option::of(1u64..5000),
            mut script in proptest::collection::vec(attempt(), 1..12),
        ) {
            script.push(commit());
            script.extend(std::iter::repeat_n(commit(), 8));
            let deadline = deadline_ms.map(Duration::from_millis);
            let policy = policy(max_attempts, &[Code::Unavailable]);
            let got = run(policy, deadline, &script, None);
            prop_assert!(got.starts.len() as u32 <= max_attempts.min(5));
            if let Some(d) = deadline {
                prop_assert!(got.starts.iter().all(|s| *s < d), "{:?}", got.starts);
            }
        }
    }
}
