//! The whole fleet down: gRFC A6's retry throttling stops a retry storm against it.

use std::sync::atomic::Ordering;
use std::time::Duration;

use grpc_web_wasm::protocol::retry::RetryPolicy;
use grpc_web_wasm::{Client, Code};
use proto::demo::v1::{UserRequest, UserResponse};
use wasm_bindgen_test::*;

use super::{common_sleep, control, replicas, Attempts};

/// Waits (10 s at most) until replica `i` runs.
async fn running(i: usize) -> bool {
    for _ in 0..100 {
        if control(&format!("running/{i}")).await == 200 {
            return true;
        }
        common_sleep(100).await;
    }
    false
}

/// Waits (10 s at most) until `n` calls in a row through nginx succeed: with `n` twice the
/// replicas, nginx's round robin has sent each of them at least one (a replica it still
/// holds out is skipped, so this also waits past its `fail_timeout`).
async fn serving(client: &Client, n: usize) -> bool {
    let mut in_a_row = 0;
    for _ in 0..100 {
        let reply = client
            .unary::<_, UserResponse>("/demo.v1.UserService/GetUser", UserRequest { user_id: 1 })
            .await;
        if reply.is_ok() {
            in_a_row += 1;
            if in_a_row == n {
                return true;
            }
            continue;
        }
        in_a_row = 0;
        common_sleep(100).await;
    }
    false
}

#[wasm_bindgen_test]
async fn with_every_replica_down_throttling_stops_the_retry_storm() {
    // Another test kills one replica and restarts another in the background: all are
    // brought up first, then all are killed.
    let n = replicas().len();
    for i in 0..n {
        if control(&format!("running/{i}")).await != 200 {
            assert_eq!(control(&format!("restart/{i}")).await, 200);
        }
        assert!(running(i).await, "replica {i} is not running");
    }
    for i in 0..n {
        assert_eq!(control(&format!("kill/{i}")).await, 200);
    }
    let counts = Attempts::default();
    let policy = RetryPolicy::new(
        5,
        Duration::from_millis(10),
        Duration::from_millis(10),
        1.0,
        &[Code::Unavailable],
    )
    .unwrap();
    let client = Client::new(test_env!("GRPC_WEB_TEST_FLEET"))
        .retry_policy(policy)
        .retry_throttling(10, 0.1)
        .unwrap()
        .interceptor(counts.clone());
    let mut codes = Vec::new();
    for _ in 0..10 {
        let reply = client
            .unary::<_, UserResponse>("/demo.v1.UserService/GetUser", UserRequest { user_id: 1 })
            .await;
        codes.push(reply.map(|_| Code::Ok).unwrap_or_else(|s| s.code()));
    }
    let attempts = counts.attempts.load(Ordering::Relaxed);
    // The fleet comes back before anything is asserted, so the run stops as it started.
    for i in 0..n {
        assert_eq!(control(&format!("restart/{i}")).await, 200);
    }
    for i in 0..n {
        assert!(running(i).await, "replica {i} did not come back");
    }
    // nginx holds each failed replica out for its fail_timeout (2 s) even once it runs
    // again, answering 502 itself meanwhile, or sending every call to the replicas it
    // already took back. The next test places one stream on each replica, so it gets the
    // fleet only once that has passed and calls through nginx work again.
    common_sleep(2_100).await;
    assert!(
        serving(&client, 2 * n).await,
        "the fleet did not serve again through nginx"
    );
    // nginx answers 502 with no replica behind it: UNAVAILABLE, retryable. 10 tokens: the
    // first call spends 5 on its 5 attempts and leaves the bucket at half, so the other nine
    // make one attempt each. Unthrottled, it would be 50.
    assert_eq!(codes, vec![Code::Unavailable; 10]);
    assert_eq!(attempts, 14, "attempts against a fleet that is down");
}
