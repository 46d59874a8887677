//! `application/grpc-web-text`: the binary body, base64-encoded.
//!
//! A server may flush its output in pieces and encode each piece on its own, so every
//! 4-character quantum is decoded independently and `=` padding can appear mid-stream
//! (`AAA=AAAA` is two quanta). Whitespace between quanta is ignored.

use bytes::BytesMut;

use super::base64;
use super::detail::detail;
use super::status::{Code, Status};

/// The error for text mode in a build without the feature `text-mode`.
pub(crate) fn unavailable() -> Status {
    Status::new(
        Code::Unimplemented,
        detail!(
            "text mode is not in this build",
            "grpc-web-text (text mode) is not in this build of grpc-web-wasm (cargo feature `text-mode`)"
        ),
    )
}

/// Streaming base64 decoder for a grpc-web-text body, fed in arbitrary chunks.
///
/// ```
/// use grpc_web_wasm::protocol::text::TextDecoder;
///
/// let mut d = TextDecoder::new();
/// let mut out = bytes::BytesMut::new();
/// d.decode("aGk=".as_bytes(), &mut out).unwrap(); // "hi", flushed with its own padding
/// d.decode("IQ".as_bytes(), &mut out).unwrap();   // half a quantum: kept for later
/// d.decode("==".as_bytes(), &mut out).unwrap();
/// d.finish().unwrap();
/// assert_eq!(&out[..], b"hi!");
/// ```
#[derive(Debug, Default)]
pub struct TextDecoder {
    quantum: [u8; 4],
    filled: usize,
    consumed: u64,
}

impl TextDecoder {
    /// A decoder at the start of a body.
    pub fn new() -> TextDecoder {
        TextDecoder::default()
    }

    /// Decodes `chunk`, appending the bytes it completes to `out`.
    ///
    /// A character outside the base64 alphabet, or padding in the wrong place, is `INTERNAL`.
    pub fn decode(&mut self, chunk: &[u8], out: &mut BytesMut) -> Result<(), Status> {
        let mut rest = chunk;
        // Characters to go byte by byte before trying bulk decoding again: set after a bulk
        // attempt fails, so a bad character far into a chunk costs one more scan, not one
        // per quantum before it.
        let mut slow = 0;
        while let Some(&c) = rest.first() {
            if self.filled == 0 && slow == 0 {
                // The common case: whole quanta without padding or whitespace, decoded in
                // bulk. Anything else (and any error, for its exact offset) goes byte by byte.
                let run = rest
                    .iter()
                    .position(|&c| c == b'=' || c.is_ascii_whitespace())
                    .unwrap_or(rest.len())
                    / 4
                    * 4;
                if run > 0 {
                    #[cfg(test)]
                    tests::BULK_ATTEMPTS.with(|n| n.set(n.get() + 1));
                    let start = out.len();
                    out.resize(start + run / 4 * 3, 0);
                    if base64::decode_quanta(&rest[..run], &mut out[start..]).is_ok() {
                        self.consumed += run as u64;
                        rest = &rest[run..];
                        continue;
                    }
                    out.truncate(start);
                    // Decode the whole quanta before the bad character in bulk, then the
                    // rest of the run byte by byte, which finds and names it.
                    let bad = rest[..run]
                        .iter()
                        .position(|&c| sextet(c).is_none())
                        .unwrap_or(run);
                    let good = bad / 4 * 4;
                    out.resize(start + good / 4 * 3, 0);
                    if base64::decode_quanta(&rest[..good], &mut out[start..]).is_ok() {
                        self.consumed += good as u64;
                        rest = &rest[good..];
                        slow = run - good;
                    } else {
                        out.truncate(start);
                        slow = run;
                    }
                    continue;
                }
            }
            self.push_char(c, out)?;
            rest = &rest[1..];
            slow = slow.saturating_sub(1);
        }
        Ok(())
    }

    /// Whether the input so far ended on a quantum boundary: where another decoder (the
    /// browser's) may take over for a while, see [`skip`](Self::skip).
    pub fn at_quantum_boundary(&self) -> bool {
        self.filled == 0
    }

    /// The characters that would complete the quantum in progress: 0 at a boundary. Fed
    /// just these, the decoder is back on a boundary (unless they hold whitespace), so a
    /// quantum split across chunks costs the other decoder only its few characters.
    pub fn quantum_missing(&self) -> usize {
        (4 - self.filled) % 4
    }

    /// Counts `chars` characters decoded elsewhere, from a quantum boundary to another, so
    /// that error offsets stay right.
    pub fn skip(&mut self, chars: usize) {
        debug_assert!(self.filled == 0, "skip mid-quantum");
        self.consumed += chars as u64;
    }

    fn push_char(&mut self, c: u8, out: &mut BytesMut) -> Result<(), Status> {
        self.consumed += 1;
        if c.is_ascii_whitespace() {
            return Ok(());
        }
        if c != b'=' && sextet(c).is_none() {
            return Err(self.invalid(c));
        }
        self.quantum[self.filled] = c;
        self.filled += 1;
        if self.filled == 4 {
            self.filled = 0;
            self.flush_quantum(out)?;
        }
        Ok(())
    }

    /// Checks the body did not end inside a quantum.
    pub fn finish(&self) -> Result<(), Status> {
        if self.filled == 0 {
            Ok(())
        } else {
            Err(Status::new(
                Code::Internal,
                detail!(
                    "grpc-web-text body ended inside a base64 quantum",
                    "grpc-web-text body ended inside a base64 quantum ({} of 4 characters)",
                    self.filled
                ),
            ))
        }
    }

    fn flush_quantum(&mut self, out: &mut BytesMut) -> Result<(), Status> {
        let q = self.quantum;
        let mut bits = 0u32;
        let mut data = 0;
        for (i, &c) in q.iter().enumerate() {
            if c == b'=' {
                // `xx==` or `xxx=`: padding only at the end of the quantum, after 2 or 3 digits.
                if i < 2 || q[i..].iter().any(|&p| p != b'=') {
                    return Err(self.invalid(c));
                }
                break;
            }
            let v = sextet(c).ok_or_else(|| self.invalid(c))?;
            bits = bits << 6 | u32::from(v);
            data += 1;
        }
        bits <<= 6 * (4 - data);
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..data]);
        Ok(())
    }

    fn invalid(&self, c: u8) -> Status {
        Status::new(
            Code::Internal,
            detail!(
                "invalid base64 in grpc-web-text body",
                "invalid base64 in grpc-web-text body: byte {c:#04x} near offset {}",
                self.consumed - 1
            ),
        )
    }
}

fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// A request body in text mode: the framed bytes, base64 with padding.
pub fn encode(body: &[u8]) -> String {
    base64::encode(body, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// Bulk decoding attempts, to prove the error path linear.
        pub(super) static BULK_ATTEMPTS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    #[test]
    fn a_bad_character_late_in_a_large_chunk_is_found_in_linear_time() {
        let mut body = vec![b'A'; 1 << 20];
        let at = body.len() - 6;
        body[at] = b'*';
        BULK_ATTEMPTS.with(|n| n.set(0));
        let mut out = BytesMut::new();
        let s = TextDecoder::new().decode(&body, &mut out).unwrap_err();
        assert!(
            !cfg!(feature = "detailed-errors")
                || s.message().contains(&format!("near offset {at}")),
            "{s}"
        );
        // One failed attempt over the run, none for each quantum before the bad one.
        assert!(
            BULK_ATTEMPTS.with(|n| n.get()) <= 2,
            "{}",
            BULK_ATTEMPTS.with(|n| n.get())
        );
        assert_eq!(out.len(), at / 4 * 3, "the good quanta decoded");
    }

    fn decode_chunks(chunks: &[&[u8]]) -> Result<Vec<u8>, Status> {
        let mut d = TextDecoder::new();
        let mut out = BytesMut::new();
        for c in chunks {
            d.decode(c, &mut out)?;
        }
        d.finish()?;
        Ok(out.to_vec())
    }

    #[test]
    fn padding_mid_stream_and_whitespace() {
        assert_eq!(decode_chunks(&[b"YQ==Yg==", b"Yw=="]).unwrap(), b"abc");
        assert_eq!(decode_chunks(&[b"YWJj\r\nZA=", b"="]).unwrap(), b"abcd");
        assert_eq!(decode_chunks(&[b""]).unwrap(), b"");
    }

    #[test]
    fn errors_are_internal() {
        for bad in [&b"YW*j"[..], b"Y===", b"=AAA", b"YQ=a", b"YWJ"] {
            let s = decode_chunks(&[bad]).unwrap_err();
            assert_eq!(s.code(), Code::Internal, "{bad:?}: {s}");
        }
        assert!(
            !cfg!(feature = "detailed-errors")
                || decode_chunks(&[b"YW*j"])
                    .unwrap_err()
                    .message()
                    .contains("offset 2")
        );
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// Any body, encoded in independently padded pieces, then split anywhere, decodes
        /// to the same bytes.
        #[test]
        fn pieces_and_splits_round_trip(
            pieces in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..40), 0..6),
            cuts in proptest::collection::vec(0usize..400, 0..8),
        ) {
            let text: String = pieces.iter().map(|p| encode(p)).collect();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(text.len())).collect();
            cuts.sort_unstable();
            let mut chunks = Vec::new();
            let mut at = 0;
            for c in cuts { chunks.push(&text.as_bytes()[at..c]); at = c; }
            chunks.push(&text.as_bytes()[at..]);
            let decoded = decode_chunks(&chunks).unwrap();
            proptest::prop_assert_eq!(decoded, pieces.concat());
        }

        /// The bulk path and the byte-by-byte path agree, on any input: fed whole or one
        /// byte at a time, the output and the success or failure are the same.
        #[test]
        fn bulk_and_bytewise_agree(s in "[A-Za-z0-9+/=\\r\\n*]{0,64}") {
            let whole = decode_chunks(&[s.as_bytes()]);
            let bytes: Vec<&[u8]> = s.as_bytes().chunks(1).collect();
            let bytewise = decode_chunks(&bytes);
            proptest::prop_assert_eq!(whole.is_ok(), bytewise.is_ok());
            if let (Ok(a), Ok(b)) = (whole, bytewise) {
                proptest::prop_assert_eq!(a, b);
            }
        }

        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let _ = decode_chunks(&[&bytes]);
        }
    }
}
