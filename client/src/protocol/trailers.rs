//! The trailer block of a gRPC-Web body: HTTP/1-style `name: value` lines, each ended by
//! CRLF. Names are case-insensitive (stored lower-case) and duplicates are kept.

use std::fmt;

use super::detail::detail;
use super::lossy::utf8_lossy;
use super::metadata::MetadataMap;
use super::quoted::Quoted;
use super::status::{Code, Status};

/// A trailer line without a usable `name:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedTrailer {
    /// The offending line, lossily decoded and cut to a readable length.
    pub line: String,
}

impl MalformedTrailer {
    /// The error's text, as [`Display`](fmt::Display) writes it, made without a
    /// `Formatter` (as `to_string` would).
    fn message(&self) -> String {
        detail!(
            "malformed trailer line",
            "malformed trailer line {}",
            Quoted(&self.line)
        )
    }
}

impl fmt::Display for MalformedTrailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for MalformedTrailer {}

impl From<MalformedTrailer> for Status {
    fn from(e: MalformedTrailer) -> Status {
        Status::new(Code::Internal, e.message())
    }
}

/// Parses a trailer block. Bare LF line ends are accepted too, and blank lines skipped.
pub fn parse(block: &[u8]) -> Result<MetadataMap, MalformedTrailer> {
    let mut map = MetadataMap::new();
    for line in block.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(|b| matches!(b, b' ' | b'\t')) {
            continue;
        }
        let malformed = || MalformedTrailer {
            line: utf8_lossy(&line[..line.len().min(80)]),
        };
        let colon = line.iter().position(|&b| b == b':').ok_or_else(malformed)?;
        let name = &line[..colon];
        let is_token = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
        if name.is_empty() || !name.iter().all(is_token) {
            return Err(malformed());
        }
        let value = line[colon + 1..].trim_ascii();
        // Both parts are ASCII-checked or lossily decoded, so this never fails on input.
        let name = std::str::from_utf8(name).map_err(|_| malformed())?;
        map.push_received(name, utf8_lossy(value));
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_insensitively_keeping_duplicates() {
        let md = parse(b"Grpc-Status: 0\r\ngrpc-message:\r\nx-a: 1\r\nX-A:  2 \r\n").unwrap();
        assert_eq!(md.get("grpc-status"), Some("0"));
        assert_eq!(md.get("grpc-message"), Some(""));
        assert_eq!(md.get_all("x-a").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(md.iter().nth(2), Some(("x-a", "1")));
    }

    #[test]
    fn tolerates_lf_and_blank_lines() {
        let md = parse(b"grpc-status: 5\n\r\n\ngrpc-message: gone").unwrap();
        assert_eq!(md.len(), 2);
        assert_eq!(md.get("grpc-message"), Some("gone"));
        assert!(parse(b"").unwrap().is_empty());
    }

    #[test]
    fn values_may_hold_colons_and_non_ascii() {
        let md = parse(b"k: a:b\r\nu: \xc3\xbc\xff").unwrap();
        assert_eq!(md.get("k"), Some("a:b"));
        assert_eq!(md.get("u"), Some("ü\u{fffd}"));
    }

    #[test]
    fn malformed_lines_are_internal_errors() {
        for bad in [
            &b"no colon here"[..],
            b": empty name",
            b"bad name: x",
            b"<html>",
        ] {
            let err = parse(bad).unwrap_err();
            assert_eq!(Status::from(err).code(), Code::Internal, "{bad:?}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn never_panics(block in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let _ = parse(&block);
        }
    }
}
