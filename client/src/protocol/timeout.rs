//! `grpc-timeout`: at most eight ASCII digits and a unit (`H`, `M`, `S`, `m`, `u`, `n`).

use std::time::Duration;

const MAX_VALUE: u64 = 99_999_999;

/// Units from finest to coarsest, with their length in nanoseconds.
const UNITS: [(u8, u64); 6] = [
    (b'n', 1),
    (b'u', 1_000),
    (b'm', 1_000_000),
    (b'S', 1_000_000_000),
    (b'M', 60_000_000_000),
    (b'H', 3_600_000_000_000),
];

/// The header value for `timeout`, in the finest unit that fits eight digits.
///
/// Rounds up, so the server never sees a shorter deadline than the client enforces.
/// Timeouts beyond what eight digits of hours can say are capped there.
///
/// ```
/// use std::time::Duration;
/// use grpc_web_wasm::protocol::timeout::encode;
///
/// assert_eq!(encode(Duration::from_millis(250)), "250000u");
/// assert_eq!(encode(Duration::from_secs(5)), "5000000u");
/// assert_eq!(encode(Duration::from_secs(3600 * 24)), "86400000m");
/// ```
pub fn encode(timeout: Duration) -> String {
    // u64 nanoseconds cover 584 years; past that, the cap. (u128 arithmetic would link
    // 128-bit division and printing into every browser build.)
    let Some(nanos) = timeout
        .as_secs()
        .checked_mul(1_000_000_000)
        .and_then(|n| n.checked_add(u64::from(timeout.subsec_nanos())))
    else {
        return with_unit(MAX_VALUE, b'H');
    };
    for (unit, len) in UNITS {
        let value = nanos.div_ceil(len);
        if value <= MAX_VALUE {
            return with_unit(value, unit);
        }
    }
    with_unit(MAX_VALUE, b'H')
}

/// `value` (at most eight digits) in decimal, then `unit`.
fn with_unit(value: u64, unit: u8) -> String {
    let mut out = super::ascii::decimal(value);
    out.push(char::from(unit));
    out
}

/// Parses a `grpc-timeout` value; `None` if it is malformed.
pub fn parse(value: &str) -> Option<Duration> {
    let unit = value.chars().last()?;
    let digits = &value[..value.len() - unit.len_utf8()];
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (_, len) = UNITS.iter().find(|(u, _)| char::from(*u) == unit)?;
    let value = digits.parse::<u64>().ok()?;
    // Whole seconds and the rest separately, so hours of eight digits cannot overflow.
    let per_second = 1_000_000_000 / len.min(&1_000_000_000);
    Some(if *len >= 1_000_000_000 {
        Duration::from_secs(value * (len / 1_000_000_000))
    } else {
        Duration::new(value / per_second, ((value % per_second) * len) as u32)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_limits() {
        assert_eq!(encode(Duration::ZERO), "0n");
        assert_eq!(encode(Duration::from_nanos(99_999_999)), "99999999n");
        assert_eq!(encode(Duration::from_nanos(100_000_001)), "100001u");
        assert_eq!(encode(Duration::MAX), "99999999H");
        assert_eq!(parse("1S"), Some(Duration::from_secs(1)));
        assert_eq!(parse("2M"), Some(Duration::from_secs(120)));
        assert_eq!(parse("3H"), Some(Duration::from_secs(3 * 3600)));
        for bad in ["", "S", "1", "123456789n", "1s", "-1S", "1.5S", "１S"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// Encoding never shortens the timeout, fits the grammar, and loses at most one unit.
        #[test]
        fn round_trip_rounds_up(nanos in 0u64..u64::MAX) {
            let t = Duration::from_nanos(nanos);
            let encoded = encode(t);
            proptest::prop_assert!(encoded.len() <= 9);
            let back = parse(&encoded).unwrap();
            proptest::prop_assert!(back >= t);
            let unit = UNITS.iter().find(|(u, _)| encoded.ends_with(char::from(*u))).unwrap().1;
            proptest::prop_assert!(back.as_nanos() - t.as_nanos() < u128::from(unit));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,12}") {
            let _ = parse(&s);
        }
    }
}
