//! Standard base64 (RFC 4648 §4), the alphabet of text mode and of `-bin` metadata.
//!
//! Written here rather than taken from the `base64` crate: the three operations gRPC-Web
//! needs fit in a page, and the crate's general engine added 4.7 KB (gzipped) to every
//! app's wasm, about 8% of a minimal client. Decoding is strict: characters outside the
//! alphabet and non-zero trailing bits are refused, as the `base64` crate does by default
//! (the property tests hold the two to the same answers).

use std::fmt;

use super::detail::write_detail;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Marks a byte outside the alphabet in [`DECODE`]; every valid entry is below 64.
const INVALID: u8 = 0x80;

/// Each byte's 6-bit value, or [`INVALID`].
static DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Input that is not valid base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidBase64 {
    /// Offset of the first offending byte in the input (for a bad length, the input's length).
    pub offset: usize,
}

impl fmt::Display for InvalidBase64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_detail!(
            f,
            "invalid base64",
            "invalid base64 at offset {}",
            self.offset
        )
    }
}

impl std::error::Error for InvalidBase64 {}

/// Encodes `input`, with `=` padding to a multiple of four characters if `pad`.
pub(crate) fn encode(input: &[u8], pad: bool) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    let sextet = |n: u32, shift: u32| char::from(ALPHABET[(n >> shift) as usize & 63]);
    let mut triples = input.chunks_exact(3);
    for t in &mut triples {
        let n = u32::from(t[0]) << 16 | u32::from(t[1]) << 8 | u32::from(t[2]);
        for shift in [18, 12, 6, 0] {
            out.push(sextet(n, shift));
        }
    }
    let (n, chars) = match *triples.remainder() {
        [a] => (u32::from(a) << 16, 2),
        [a, b] => (u32::from(a) << 16 | u32::from(b) << 8, 3),
        _ => return out,
    };
    for shift in [18, 12, 6].into_iter().take(chars) {
        out.push(sextet(n, shift));
    }
    if pad {
        // Pushed one by one: slicing a `str` would link its char-boundary panic (~3 KB).
        for _ in chars..4 {
            out.push('=');
        }
    }
    out
}

/// Decodes whole quanta without padding: `input.len()` must be a multiple of 4, and `out`
/// receives `input.len() / 4 * 3` bytes (it may be longer; the rest is left alone).
///
/// This is text mode's bulk path: straight from the body chunk into the frame buffer.
pub(crate) fn decode_quanta(input: &[u8], out: &mut [u8]) -> Result<(), InvalidBase64> {
    if !input.len().is_multiple_of(4) || out.len() < input.len() / 4 * 3 {
        return Err(InvalidBase64 {
            offset: input.len(),
        });
    }
    // Two quanta per step, as one 48-bit word: fewer branches and stores per byte.
    let mut pairs = input.chunks_exact(8);
    for (i, (q, o)) in (&mut pairs).zip(out.chunks_exact_mut(6)).enumerate() {
        let n = pack(q).ok_or_else(|| first_invalid(q, i * 8))?;
        o.copy_from_slice(&n.to_be_bytes()[2..]);
    }
    let q = pairs.remainder();
    if !q.is_empty() {
        let n = pack(q).ok_or_else(|| first_invalid(q, input.len() - 4))?;
        let at = input.len() / 4 * 3 - 3;
        out[at..at + 3].copy_from_slice(&n.to_be_bytes()[5..]);
    }
    Ok(())
}

/// The group's 6-bit values packed big-endian into the low bits; `None` if any byte is
/// outside the alphabet (tested once for the group, not per byte).
fn pack(group: &[u8]) -> Option<u64> {
    let (n, bad) = group.iter().fold((0u64, 0u8), |(n, bad), &ch| {
        let v = DECODE[usize::from(ch)];
        (n << 6 | u64::from(v), bad | v)
    });
    (bad & INVALID == 0).then_some(n)
}

fn first_invalid(group: &[u8], start: usize) -> InvalidBase64 {
    let bad = group
        .iter()
        .position(|&ch| DECODE[usize::from(ch)] == INVALID);
    InvalidBase64 {
        offset: start + bad.unwrap_or(0),
    }
}

/// Decodes base64 without padding (strip any `=` first). A final group of 2 or 3
/// characters must have its unused low bits zero, so each byte string has one encoding.
pub(crate) fn decode_unpadded(input: &[u8]) -> Result<Vec<u8>, InvalidBase64> {
    let whole = input.len() / 4 * 4;
    let tail = &input[whole..];
    let mut out = vec![0; whole / 4 * 3 + tail.len().saturating_sub(1)];
    decode_quanta(&input[..whole], &mut out)?;
    let mut n = 0u32;
    for (i, &ch) in tail.iter().enumerate() {
        let v = DECODE[usize::from(ch)];
        if v == INVALID {
            return Err(InvalidBase64 { offset: whole + i });
        }
        n |= u32::from(v) << (18 - 6 * i);
    }
    let unused_bits = match tail.len() {
        0 => return Ok(out),
        2 => 0xffff,
        3 => 0xff,
        // One character alone cannot hold a byte.
        _ => 0,
    };
    if tail.len() == 1 || n & unused_bits != 0 {
        return Err(InvalidBase64 {
            offset: input.len() - 1,
        });
    }
    let bytes = n.to_be_bytes();
    out[whole / 4 * 3..].copy_from_slice(&bytes[1..tail.len()]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_examples() {
        assert_eq!(encode(b"hi", true), "aGk=");
        assert_eq!(encode(b"hi", false), "aGk");
        assert_eq!(decode_unpadded(b"aGk").unwrap(), b"hi");
        assert!(decode_unpadded(b"aGl").is_err()); // non-zero trailing bits
    }

    #[test]
    fn rfc_4648_vectors() {
        let vectors: [(&[u8], &str); 7] = [
            (b"", ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"fooba", "Zm9vYmE="),
            (b"foobar", "Zm9vYmFy"),
        ];
        for (raw, text) in vectors {
            assert_eq!(encode(raw, true), text);
            let unpadded = text.trim_end_matches('=');
            assert_eq!(encode(raw, false), unpadded);
            assert_eq!(decode_unpadded(unpadded.as_bytes()).unwrap(), raw);
        }
    }

    #[test]
    fn errors_name_the_offending_offset() {
        assert_eq!(
            decode_unpadded(b"Zm9v*mFy"),
            Err(InvalidBase64 { offset: 4 })
        );
        assert_eq!(decode_unpadded(b"Zm9vY"), Err(InvalidBase64 { offset: 4 }));
        assert_eq!(decode_unpadded(b"Zm=="), Err(InvalidBase64 { offset: 2 }));
        let mut out = [0; 6];
        assert_eq!(
            decode_quanta(b"Zm9vYm\nF", &mut out),
            Err(InvalidBase64 { offset: 6 })
        );
        assert_eq!(
            decode_quanta(b"Zm9", &mut out),
            Err(InvalidBase64 { offset: 3 })
        );
        assert!(decode_quanta(b"Zm9vYmFy", &mut out[..5]).is_err());
    }

    /// Held to the `base64` crate's answers (a native dev-dependency only).
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use ::base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
        use ::base64::Engine as _;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn encodes_as_the_base64_crate(data in proptest::collection::vec(any::<u8>(), 0..200)) {
                prop_assert_eq!(encode(&data, true), STANDARD.encode(&data));
                prop_assert_eq!(encode(&data, false), STANDARD_NO_PAD.encode(&data));
                prop_assert_eq!(decode_unpadded(encode(&data, false).as_bytes()).unwrap(), data);
            }

            /// Any input, mostly near-valid: accepted and refused exactly where the crate does.
            #[test]
            fn decodes_as_the_base64_crate(text in "[A-Za-z0-9+/]{0,40}[A-Za-z0-9+/=*\n ]{0,3}") {
                let ours = decode_unpadded(text.as_bytes());
                let theirs = STANDARD_NO_PAD.decode(&text);
                prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?} {:?}", ours, theirs);
                if let (Ok(a), Ok(b)) = (ours, theirs) {
                    prop_assert_eq!(a, b);
                }
            }

            #[test]
            fn quanta_decode_as_the_base64_crate(data in proptest::collection::vec(any::<u8>(), 0..120)) {
                let whole = &data[..data.len() / 3 * 3];
                let text = STANDARD.encode(whole);
                let mut out = vec![0; whole.len()];
                decode_quanta(text.as_bytes(), &mut out).unwrap();
                prop_assert_eq!(out, whole);
            }
        }
    }
}
