//! Bytes from the network as text, for metadata and error messages.
//!
//! The same result as [`String::from_utf8_lossy`], written over [`std::str::from_utf8`]
//! because the standard one links its own chunked UTF-8 scanner (about 1 KB of wasm) on
//! top of the validator every app already has.

/// `bytes` as a string, each maximal invalid UTF-8 sequence replaced by U+FFFD.
pub(crate) fn utf8_lossy(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push(char::REPLACEMENT_CHARACTER);
                // `None`: the input ends inside a sequence, which is replaced whole.
                bytes = rest
                    .get(e.error_len().unwrap_or(rest.len())..)
                    .unwrap_or_default();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::utf8_lossy;

    #[test]
    fn an_invalid_byte_becomes_one_replacement_character() {
        assert_eq!(utf8_lossy(b"caf\xc3\xa9 \xff!"), "café \u{fffd}!");
    }

    #[test]
    fn replaces_each_invalid_sequence() {
        assert_eq!(utf8_lossy(b""), "");
        assert_eq!(utf8_lossy(b"\xff\xfe"), "\u{fffd}\u{fffd}");
        assert_eq!(utf8_lossy(b"a\xe2\x82"), "a\u{fffd}");
        assert_eq!(utf8_lossy(b"\xe2\x82a"), "\u{fffd}a");
    }

    /// Property tests run natively only (proptest is a native dev-dependency).
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::utf8_lossy;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn agrees_with_the_standard_library(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
                prop_assert_eq!(utf8_lossy(&bytes), String::from_utf8_lossy(&bytes));
            }

            #[test]
            fn agrees_on_mostly_valid_text(s in "\\PC{0,20}", cut in 0usize..80, junk in any::<u8>()) {
                let mut bytes = s.into_bytes();
                let at = cut.min(bytes.len());
                bytes.insert(at, junk);
                prop_assert_eq!(utf8_lossy(&bytes), String::from_utf8_lossy(&bytes));
            }
        }
    }
}
