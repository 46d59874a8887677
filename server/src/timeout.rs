//! The `grpc-timeout` request header: 1 to 8 ASCII digits and a unit (`H`, `M`, `S`, `m`,
//! `u`, `n`), as gRPC over HTTP/2 defines it.
//!
//! A value outside that grammar is a malformed request: the call is answered `INTERNAL`
//! at once, before its handler runs (as grpc-go's server does), rather than served with
//! no deadline. Ignoring it would leave a client believing the server bounds a call
//! that it does not. Zero (`0S`) is accepted and expires at once.

use std::time::Duration;

/// The message a call with a malformed `grpc-timeout` gets, with `INTERNAL`.
pub const MALFORMED: &str =
    "malformed grpc-timeout header: want 1 to 8 digits and a unit (H, M, S, m, u or n)";

/// The duration a `grpc-timeout` value stands for; `None` if it is malformed.
pub fn parse(value: &[u8]) -> Option<Duration> {
    let (&unit, digits) = value.split_last()?;
    if digits.is_empty() || digits.len() > 8 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n: u64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some(match unit {
        b'H' => Duration::from_secs(n * 3600),
        b'M' => Duration::from_secs(n * 60),
        b'S' => Duration::from_secs(n),
        b'm' => Duration::from_millis(n),
        b'u' => Duration::from_micros(n),
        b'n' => Duration::from_nanos(n),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        assert_eq!(parse(b"1S"), Some(Duration::from_secs(1)));
        assert_eq!(parse(b"250m"), Some(Duration::from_millis(250)));
        assert_eq!(
            parse(b"99999999H"),
            Some(Duration::from_secs(99_999_999 * 3600))
        );
        assert_eq!(parse(b"7n"), Some(Duration::from_nanos(7)));
        assert_eq!(parse(b"0S"), Some(Duration::ZERO));
        for bad in [
            &b""[..],
            b"S",
            b"123456789S",
            b"10",
            b"1x",
            b"-1S",
            b"1.5S",
            b" 1S",
        ] {
            assert_eq!(parse(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
