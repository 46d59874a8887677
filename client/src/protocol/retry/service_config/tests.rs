use super::*;

const MS: Duration = Duration::from_millis(1);

#[test]
fn reads_policies_timeouts_names_and_throttling() {
    let config = parse_service_config(
        r#"{
          "loadBalancingConfig": [{"round_robin": {}}],
          "methodConfig": [
            {"name": [{}], "timeout": "10s"},
            {"name": [{"service": "a.S"}, {"service": "b.T", "method": "Get"}],
             "waitForReady": true,
             "retryPolicy": {"maxAttempts": 9, "initialBackoff": "0.01s", "maxBackoff": "0.5s",
                             "backoffMultiplier": 1.5, "retryableStatusCodes": ["UNAVAILABLE", 10, "aborted"]}},
            {"name": [{"service": "b.T", "method": "List"}],
             "hedgingPolicy": {"maxAttempts": 3, "hedgingDelay": "0.2s"}}
          ],
          "retryThrottling": {"maxTokens": 10, "tokenRatio": 0.1}
        }"#,
    )
    .unwrap();
    let default = config.lookup("/c.U/X").unwrap();
    assert_eq!(default.timeout, Some(Duration::from_secs(10)));
    assert_eq!(default.policy, None);
    let retry = RetryPolicy::new(
        5,
        10 * MS,
        500 * MS,
        1.5,
        &[Code::Unavailable, Code::Aborted],
    )
    .unwrap();
    let Some(Policy::Retry(got)) = &config.lookup("/a.S/Any").unwrap().policy else {
        panic!("no retry policy")
    };
    assert_eq!(got.max_attempts(), 5);
    assert_eq!(got, &retry);
    assert_eq!(
        config.lookup("/b.T/Get").unwrap().policy,
        Some(Policy::Retry(retry))
    );
    assert_eq!(
        config.lookup("/b.T/List").unwrap().policy,
        Some(Policy::Hedging(
            HedgingPolicy::new(3, 200 * MS, &[]).unwrap()
        ))
    );
    assert_eq!(
        config.lookup("/b.T/Other").unwrap().timeout,
        Some(Duration::from_secs(10))
    );
    assert_eq!(config.throttling(), Some(&Throttle::new(10, 0.1).unwrap()));
}

#[test]
fn refuses_what_grfc_a6_calls_invalid() {
    let bad = [
        "[]",
        "not json",
        r#"{"methodConfig": {}}"#,
        r#"{"methodConfig": [{"name": []}]}"#,
        r#"{"methodConfig": [{"name": [{"method": "M"}]}]}"#,
        r#"{"methodConfig": [{"name": [{}]}, {"name": [{}]}]}"#,
        r#"{"methodConfig": [{"name": [{}], "timeout": "-1s"}]}"#,
        r#"{"methodConfig": [{"name": [{}], "timeout": 5}]}"#,
        r#"{"methodConfig": [{"name": [{}], "retryPolicy": {}, "hedgingPolicy": {"maxAttempts": 2}}]}"#,
        r#"{"methodConfig": [{"name": [{}], "retryPolicy": {"maxAttempts": 1, "initialBackoff": "1s", "maxBackoff": "1s", "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}}]}"#,
        r#"{"methodConfig": [{"name": [{}], "retryPolicy": {"maxAttempts": 2, "initialBackoff": "0s", "maxBackoff": "1s", "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}}]}"#,
        r#"{"methodConfig": [{"name": [{}], "retryPolicy": {"maxAttempts": 2, "initialBackoff": "1s", "maxBackoff": "1s", "backoffMultiplier": 2, "retryableStatusCodes": []}}]}"#,
        r#"{"methodConfig": [{"name": [{}], "retryPolicy": {"maxAttempts": 2, "initialBackoff": "1s", "maxBackoff": "1s", "backoffMultiplier": 2, "retryableStatusCodes": ["NOPE"]}}]}"#,
        r#"{"methodConfig": [{"name": [{}], "retryPolicy": {"maxAttempts": 2.5, "initialBackoff": "1s", "maxBackoff": "1s", "backoffMultiplier": 2, "retryableStatusCodes": [14]}}]}"#,
        r#"{"retryThrottling": {"maxTokens": 0, "tokenRatio": 1}}"#,
        r#"{"retryThrottling": {"maxTokens": 10}}"#,
        r#"{"retryThrottling": {"maxTokens": 10.5, "tokenRatio": 1}}"#,
    ];
    for json in bad {
        assert!(parse_service_config(json).is_err(), "accepted {json}");
    }
    assert!(parse_service_config("{}").unwrap().is_empty());
}

#[test]
fn durations_are_protobuf_json() {
    assert_eq!(parse_duration("1s"), Some(Duration::from_secs(1)));
    assert_eq!(parse_duration("0.25s"), Some(250 * MS));
    assert_eq!(parse_duration("1.000000001s"), Some(Duration::new(1, 1)));
    for bad in [
        "",
        "s",
        "1",
        ".5s",
        "-1s",
        "1.0000000001s",
        "1ms",
        "+1s",
        "1e3s",
    ] {
        assert_eq!(parse_duration(bad), None, "{bad:?}");
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_text_parses_without_panicking(s in "\\PC{0,200}") {
            let _ = parse_service_config(&s);
            let _ = parse_duration(&s);
        }

        #[test]
        fn any_policy_shaped_json_parses_without_panicking(
            attempts in any::<f64>(), mult in any::<f64>(), code in any::<i64>(),
            tokens in any::<f64>(), ratio in any::<f64>(),
        ) {
            let json = format!(
                r#"{{"methodConfig": [{{"name": [{{}}], "retryPolicy": {{"maxAttempts": {attempts:?},
                "initialBackoff": "1s", "maxBackoff": "2s", "backoffMultiplier": {mult:?},
                "retryableStatusCodes": [{code}]}}}}],
                "retryThrottling": {{"maxTokens": {tokens:?}, "tokenRatio": {ratio:?}}}}}"#
            );
            let _ = parse_service_config(&json);
        }
    }
}
