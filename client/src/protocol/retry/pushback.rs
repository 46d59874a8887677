//! Server pushback: `grpc-retry-pushback-ms` in an attempt's trailers.

use std::time::Duration;

use crate::protocol::metadata::MetadataMap;

/// The trailer a server sets to steer the client's retries.
pub const PUSHBACK_HEADER: &str = "grpc-retry-pushback-ms";

/// What a failed attempt's trailers say about retrying it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushback {
    /// No pushback: the policy's backoff applies.
    Absent,
    /// Retry after exactly this long (a non-negative integer of milliseconds).
    RetryAfter(Duration),
    /// Do not retry (a negative or malformed value).
    DoNotRetry,
}

impl Pushback {
    /// Reads the pushback from `trailers`; the first value counts.
    pub fn from_trailers(trailers: &MetadataMap) -> Pushback {
        match trailers.get(PUSHBACK_HEADER) {
            None => Pushback::Absent,
            Some(value) => parse(value),
        }
    }
}

fn parse(value: &str) -> Pushback {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Pushback::DoNotRetry;
    }
    // All digits: a parse error can only be an overflow, a wait no call lives through.
    match value.parse::<u64>() {
        Ok(ms) => Pushback::RetryAfter(Duration::from_millis(ms)),
        Err(_) => Pushback::RetryAfter(Duration::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> Pushback {
        let mut m = MetadataMap::new();
        m.push_received(PUSHBACK_HEADER, value);
        Pushback::from_trailers(&m)
    }

    #[test]
    fn integers_retry_after_anything_else_stops() {
        assert_eq!(
            Pushback::from_trailers(&MetadataMap::new()),
            Pushback::Absent
        );
        assert_eq!(with("0"), Pushback::RetryAfter(Duration::ZERO));
        assert_eq!(
            with("250"),
            Pushback::RetryAfter(Duration::from_millis(250))
        );
        assert_eq!(with(" 7 "), Pushback::RetryAfter(Duration::from_millis(7)));
        for bad in ["-1", "", "1.5", "+3", "abc", "1e3", "0x10"] {
            assert_eq!(with(bad), Pushback::DoNotRetry, "{bad:?}");
        }
        assert_eq!(
            with("99999999999999999999999"),
            Pushback::RetryAfter(Duration::MAX)
        );
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_value_parses_without_panicking(s in "\\PC{0,30}") {
                let _ = parse(&s);
            }

            #[test]
            fn every_u32_is_honoured(ms in any::<u32>()) {
                prop_assert_eq!(
                    parse(&ms.to_string()),
                    Pushback::RetryAfter(Duration::from_millis(ms.into()))
                );
            }
        }
    }
}
