//! Retries and hedging (gRFC A6) against the misbehaving peer's `/retry/` routes, which
//! count attempts per `x-retry-key` so that these tests can run side by side.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use grpc_web_wasm::protocol::retry::{HedgingPolicy, RetryPolicy};
use grpc_web_wasm::{AttemptEnd, CallEnd, Client, Code, Interceptor, Request, RequestHead, Status};
use proto::demo::v1::{ListUsersRequest, UserRequest, UserResponse};
use wasm_bindgen_test::*;

use crate::{fault, get_user, GET_USER};

/// A policy with short, fixed backoffs (10 ms ± 20 %).
fn quick(max_attempts: u32, codes: &[Code]) -> RetryPolicy {
    let ms = Duration::from_millis(10);
    RetryPolicy::new(max_attempts, ms, ms, 1.0, codes).unwrap()
}

/// A key of this test's own, and a request carrying it.
fn keyed() -> (String, Request<UserRequest>) {
    let key = format!("k{}", (js_sys::Math::random() * 1e15) as u64);
    let mut request = Request::new(UserRequest { user_id: 1 });
    request.metadata_mut().insert("x-retry-key", &key).unwrap();
    (key, request)
}

/// The attempts and cancels the fixture saw for `key`.
async fn seen(key: &str) -> (u32, u32) {
    let mut request = Request::new(UserRequest { user_id: 1 });
    request.metadata_mut().insert("x-retry-key", key).unwrap();
    let reply = fault("retry/count/0")
        .unary::<_, UserResponse>(GET_USER, request)
        .await
        .expect("the count route answers");
    let number = |k: &str| {
        reply
            .trailers()
            .get(k)
            .and_then(|v| v.parse().ok())
            .unwrap()
    };
    (number("x-attempts"), number("x-cancelled"))
}

/// Everything the interceptors were told.
#[derive(Default)]
struct Log {
    requests: Vec<u32>,
    attempts: Vec<(u32, Code, Option<Duration>)>,
    ends: Vec<(Code, u32)>,
}

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Log>>);

impl Interceptor for Recorder {
    fn on_request(&self, head: &mut RequestHead) -> Result<(), Status> {
        let previous = head.previous_attempts();
        self.0.lock().unwrap().requests.push(previous);
        Ok(())
    }
    fn on_attempt(&self, a: &AttemptEnd<'_>) {
        self.0
            .lock()
            .unwrap()
            .attempts
            .push((a.number(), a.status().code(), a.retry_after()));
    }
    fn on_end(&self, end: &CallEnd<'_>) {
        self.0
            .lock()
            .unwrap()
            .ends
            .push((end.status().code(), end.attempts()));
    }
}

#[wasm_bindgen_test]
async fn unavailable_is_retried_until_an_attempt_succeeds() {
    let log = Recorder::default();
    let client = fault("retry/fail/14/2")
        .retry_policy(quick(4, &[Code::Unavailable]))
        .interceptor(log.clone());
    let (key, request) = keyed();
    let reply = client
        .unary::<_, UserResponse>(GET_USER, request)
        .await
        .expect("the third attempt succeeds");
    assert_eq!(reply.get_ref().user_id, 3);
    assert_eq!(reply.trailers().get("x-previous"), Some("2"));
    assert_eq!(seen(&key).await, (3, 0));
    let log = log.0.lock().unwrap();
    assert_eq!(log.requests, [0, 1, 2]);
    let failed: Vec<_> = log
        .attempts
        .iter()
        .map(|(n, c, after)| (*n, *c, after.is_some()))
        .collect();
    assert_eq!(
        failed,
        [(1, Code::Unavailable, true), (2, Code::Unavailable, true)]
    );
    assert_eq!(log.ends, [(Code::Ok, 3)]);
}

#[wasm_bindgen_test]
async fn attempts_stop_at_max_attempts_and_at_codes_not_retryable() {
    let client = fault("retry/fail/14/9").retry_policy(quick(3, &[Code::Unavailable]));
    let (key, request) = keyed();
    let status = get_user(&client, request).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status}");
    assert_eq!(status.message(), "attempt 3 fails");
    assert_eq!(seen(&key).await.0, 3);

    let client = fault("retry/fail/13/9").retry_policy(quick(3, &[Code::Unavailable]));
    let (key, request) = keyed();
    assert_eq!(
        get_user(&client, request).await.unwrap_err().code(),
        Code::Internal
    );
    assert_eq!(seen(&key).await.0, 1);
}

#[wasm_bindgen_test]
async fn server_pushback_sets_the_delay_or_stops_retries() {
    let client = fault("retry/pushback/400").retry_policy(quick(3, &[Code::Unavailable]));
    let (_, request) = keyed();
    let reply = client
        .unary::<_, UserResponse>(GET_USER, request)
        .await
        .expect("the retry succeeds");
    let gap: u32 = reply.trailers().get("x-gap-ms").unwrap().parse().unwrap();
    // The policy alone would have waited about 10 ms.
    assert!((400..1500).contains(&gap), "retried after {gap} ms");

    let client = fault("retry/pushback/-1").retry_policy(quick(3, &[Code::Unavailable]));
    let (key, request) = keyed();
    assert_eq!(
        get_user(&client, request).await.unwrap_err().code(),
        Code::Unavailable
    );
    assert_eq!(seen(&key).await.0, 1);
}

#[wasm_bindgen_test]
async fn a_call_whose_headers_arrived_is_committed_and_not_retried() {
    let client = fault("retry/after-headers/0").retry_policy(quick(5, &[Code::Unavailable]));
    let (key, request) = keyed();
    let status = get_user(&client, request).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable);
    assert_eq!(status.message(), "lost after headers");
    assert_eq!(seen(&key).await.0, 1);
}

#[wasm_bindgen_test]
async fn the_deadline_spans_every_attempt() {
    let ms = Duration::from_millis(600);
    let policy = RetryPolicy::new(5, ms, ms, 1.0, &[Code::Unavailable]).unwrap();
    let client = fault("retry/fail/14/9").retry_policy(policy);
    let (key, mut request) = keyed();
    request.set_timeout(Duration::from_millis(900));
    let started = js_sys::Date::now();
    let status = get_user(&client, request).await.unwrap_err();
    let elapsed = js_sys::Date::now() - started;
    assert_eq!(status.code(), Code::Unavailable, "{status}");
    // Attempts at 0 and 480..720 ms; a third could not start before 960 ms, past the
    // deadline, so the call ends at once with the second attempt's failure.
    assert_eq!(seen(&key).await.0, 2);
    assert!(elapsed < 880.0, "took {elapsed} ms");
}

#[wasm_bindgen_test]
async fn a_server_stream_is_retried_until_it_commits() {
    let client = fault("retry/fail/14/1").retry_policy(quick(2, &[Code::Unavailable]));
    let (_, request) = keyed();
    let request = request.map(|_| ListUsersRequest::default());
    let mut stream = client
        .server_streaming::<_, UserResponse>("/demo.v1.UserService/ListUsers", request)
        .await
        .expect("the second attempt commits");
    assert_eq!(stream.message().await.unwrap().map(|u| u.user_id), Some(2));
    assert_eq!(stream.message().await.unwrap(), None);

    // Not retried: its trailers-only failure comes out of the stream, as without a policy.
    let client = fault("retry/fail/13/1").retry_policy(quick(2, &[Code::Unavailable]));
    let (_, request) = keyed();
    let call = client
        .server_streaming::<_, UserResponse>(
            "/demo.v1.UserService/ListUsers",
            request.map(|_| ListUsersRequest::default()),
        )
        .await;
    assert_eq!(
        crate::common::stream_status(call).await.code(),
        Code::Internal
    );
}

#[wasm_bindgen_test]
async fn a_hedge_wins_and_the_slow_attempt_is_cancelled() {
    let log = Recorder::default();
    let policy = HedgingPolicy::new(2, Duration::from_millis(100), &[Code::Unavailable]).unwrap();
    let client = fault("retry/slow-first/3000")
        .retry_policy(policy)
        .interceptor(log.clone());
    let (key, request) = keyed();
    let started = js_sys::Date::now();
    let reply = client
        .unary::<_, UserResponse>(GET_USER, request)
        .await
        .expect("the hedge succeeds");
    let elapsed = js_sys::Date::now() - started;
    assert_eq!(reply.get_ref().user_id, 2);
    assert_eq!(reply.trailers().get("x-previous"), Some("1"));
    assert!(elapsed < 2000.0, "waited {elapsed} ms for the slow attempt");
    // The fixture sees the loser's connection close.
    let mut cancelled = 0;
    for _ in 0..40 {
        cancelled = seen(&key).await.1;
        if cancelled == 1 {
            break;
        }
        crate::sleep(50).await;
    }
    assert_eq!(cancelled, 1, "the losing attempt was not cancelled");
    let log = log.0.lock().unwrap();
    assert_eq!(log.attempts, [(1, Code::Cancelled, None)]);
    assert_eq!(log.ends, [(Code::Ok, 2)]);
}

#[wasm_bindgen_test]
async fn throttling_stops_a_retry_storm_against_a_target_that_is_down() {
    let client = fault("retry/fail/14/1000")
        .retry_policy(quick(5, &[Code::Unavailable]))
        .retry_throttling(10, 0.1)
        .unwrap();
    let (key, request) = keyed();
    for _ in 0..10 {
        assert_eq!(
            get_user(&client, request.clone()).await.unwrap_err().code(),
            Code::Unavailable
        );
    }
    // 10 tokens: the first call spends 5 on its 5 attempts, leaving the bucket at half; the
    // other nine make one attempt each. Unthrottled, it would be 50.
    assert_eq!(seen(&key).await.0, 14);
}

#[wasm_bindgen_test]
async fn policies_come_from_a_service_config_by_method() {
    let config = r#"{
      "methodConfig": [{
        "name": [{"service": "demo.v1.UserService", "method": "GetUser"}],
        "retryPolicy": {"maxAttempts": 3, "initialBackoff": "0.01s", "maxBackoff": "0.01s",
                        "backoffMultiplier": 1, "retryableStatusCodes": ["UNAVAILABLE"]}
      }]
    }"#;
    let client: Client = fault("retry/fail/14/1").service_config(config).unwrap();
    let (_, request) = keyed();
    assert_eq!(get_user(&client, request).await.unwrap().user_id, 2);
    // Another method has no policy: one attempt.
    let (key, request) = keyed();
    let call = client
        .server_streaming::<_, UserResponse>(
            "/demo.v1.UserService/ListUsers",
            request.map(|_| ListUsersRequest::default()),
        )
        .await;
    assert_eq!(
        crate::common::stream_status(call).await.code(),
        Code::Unavailable
    );
    assert_eq!(seen(&key).await.0, 1);
    assert!(fault("x").service_config("{\"methodConfig\": 1}").is_err());
}

#[wasm_bindgen_test]
async fn a_cancel_during_a_backoff_ends_the_call_at_once() {
    let s = Duration::from_secs(3);
    let policy = RetryPolicy::new(3, s, s, 1.0, &[Code::Unavailable]).unwrap();
    let client = fault("retry/fail/14/9").retry_policy(policy);
    let (key, mut request) = keyed();
    let cancel = grpc_web_wasm::CancelHandle::new();
    request.set_signal(cancel.signal());
    let started = js_sys::Date::now();
    let call = get_user(&client, request);
    let canceller = async {
        crate::sleep(300).await;
        cancel.cancel();
    };
    let (status, ()) = futures_util::future::join(call, canceller).await;
    let elapsed = js_sys::Date::now() - started;
    assert_eq!(status.unwrap_err().code(), Code::Cancelled);
    assert!(elapsed < 1500.0, "the backoff ran on for {elapsed} ms");
    assert_eq!(seen(&key).await.0, 1);
}
