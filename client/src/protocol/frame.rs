//! gRPC-Web frames: `flags:u8 | length:u32 big-endian | payload`.
//!
//! Flag bit `0x80` marks the trailer frame, bit `0x01` a compressed payload; the other bits
//! are reserved and must be zero. [`FrameDecoder`] takes the body in whatever chunks the
//! network delivers and checks each length prefix against a limit *before* buffering for it.

use super::detail::detail;
use std::fmt;

use std::mem::MaybeUninit;

use bytes::{Buf, Bytes, BytesMut};

use super::status::{Code, Status};

mod drain;

/// Bytes in a frame header.
pub const HEADER_LEN: usize = 5;
/// Flag bit of the trailer frame.
pub const FLAG_TRAILERS: u8 = 0x80;
/// Flag bit of a compressed payload.
pub const FLAG_COMPRESSED: u8 = 0x01;

/// One decoded frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A serialized message.
    Data {
        /// The message bytes.
        payload: Bytes,
        /// Whether the payload is compressed with the reply's `grpc-encoding`.
        compressed: bool,
    },
    /// The trailer block: HTTP/1-style header lines.
    Trailers {
        /// The block's bytes.
        block: Bytes,
        /// Whether the block is compressed (flags `0x81`).
        compressed: bool,
    },
}

/// A violation found while decoding frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// Reserved flag bits were set.
    ReservedFlags(u8),
    /// A length prefix exceeds the configured limit; nothing was allocated for it.
    TooLarge {
        /// What the prefix claimed.
        len: u32,
        /// The limit it broke.
        limit: usize,
        /// Whether it was the trailer frame.
        trailers: bool,
    },
    /// The body ended inside a frame.
    Truncated {
        /// Bytes of the unfinished frame that did arrive (header included).
        received: usize,
        /// The frame's full size, when its header arrived.
        expected: Option<usize>,
    },
}

impl FrameError {
    /// The error's text, as [`Display`](fmt::Display) writes it. A `String` made directly:
    /// `to_string` goes through a `Formatter` for it.
    fn message(&self) -> String {
        match *self {
            FrameError::ReservedFlags(flags) => detail!(
                "malformed gRPC-Web frame",
                "malformed gRPC-Web frame: reserved flag bits set (flags {flags:#04x})"
            ),
            FrameError::TooLarge { len, limit, trailers } => detail!(
                "received frame over the limit",
                "received {} of {len} bytes exceeds the limit of {limit} bytes",
                if trailers { "trailer block" } else { "message" }
            ),
            FrameError::Truncated { received, expected } => match expected {
                Some(total) => detail!(
                    "response body ended inside a frame",
                    "response body ended inside a frame: {received} of {total} bytes arrived"
                ),
                None => detail!(
                    "response body ended inside a frame header",
                    "response body ended inside a frame header: {received} of {HEADER_LEN} bytes arrived"
                ),
            },
        }
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for FrameError {}

impl From<FrameError> for Status {
    fn from(e: FrameError) -> Status {
        let code = match e {
            FrameError::TooLarge { .. } => Code::ResourceExhausted,
            FrameError::ReservedFlags(_) | FrameError::Truncated { .. } => Code::Internal,
        };
        Status::new(code, e.message())
    }
}

/// The 5-byte header for a payload of `len` bytes.
///
/// # Panics
/// If `len` does not fit in `u32`; encoders check their size limit first.
pub fn encode_header(flags: u8, len: usize) -> [u8; HEADER_LEN] {
    let len = u32::try_from(len).expect("frame payload larger than u32::MAX");
    let [a, b, c, d] = len.to_be_bytes();
    [flags, a, b, c, d]
}

#[derive(Debug, Clone, Copy)]
struct Header {
    flags: u8,
    len: usize,
}

/// Incremental frame decoder over arbitrarily split input.
///
/// ```
/// use grpc_web_wasm::protocol::frame::{Frame, FrameDecoder};
///
/// let mut d = FrameDecoder::new(1024, 1024);
/// d.push(&[0, 0, 0]);
/// assert_eq!(d.next_frame(), Ok(None)); // header incomplete
/// d.push(&[0, 2, b'h', b'i']);
/// assert!(matches!(d.next_frame(), Ok(Some(Frame::Data { .. }))));
/// assert_eq!(d.finish(), Ok(()));
/// ```
///
/// After an error the call is over: the decoder's state is unspecified.
#[derive(Debug)]
pub struct FrameDecoder {
    buf: BytesMut,
    header: Option<Header>,
    max_message_len: usize,
    max_trailers_len: usize,
}

impl FrameDecoder {
    /// A decoder refusing data frames over `max_message_len` and trailer frames over
    /// `max_trailers_len` bytes.
    pub fn new(max_message_len: usize, max_trailers_len: usize) -> FrameDecoder {
        FrameDecoder {
            buf: BytesMut::new(),
            header: None,
            max_message_len,
            max_trailers_len,
        }
    }

    /// Appends a chunk of the body. Call [`next_frame`](Self::next_frame) until it yields
    /// `None` before pushing more, so the buffer stays within one frame plus one chunk.
    pub fn push(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
    }

    /// Appends `len` bytes written by `fill` into the buffer's spare capacity.
    ///
    /// `fill` gets exactly `len` uninitialized bytes and returns them initialized (as
    /// `Uint8Array::copy_to_uninit` does), so a chunk from foreign memory (a JS
    /// `Uint8Array`) is copied straight into the buffer, once, without zeroing it first.
    ///
    /// # Panics
    /// If `fill` returns a slice other than the one it was given.
    pub fn push_with(
        &mut self,
        len: usize,
        fill: impl for<'a> FnOnce(&'a mut [MaybeUninit<u8>]) -> &'a mut [u8],
    ) {
        append_uninit(&mut self.buf, len, fill);
    }

    /// Lets `append` write decoded input (text mode's base64) straight onto the end of the
    /// buffer; it must only append.
    pub fn append_with<R>(&mut self, append: impl FnOnce(&mut BytesMut) -> R) -> R {
        append(&mut self.buf)
    }

    /// The next complete frame, `Ok(None)` if more input is needed.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        let header = match self.header {
            Some(h) => h,
            None => {
                if self.buf.len() < HEADER_LEN {
                    return Ok(None);
                }
                let h = self.parse_header()?;
                self.buf.advance(HEADER_LEN);
                // Room for the bytes that come next, not for all the prefix claims: a
                // claimed length (up to the limit, which a caller may set to 4 GiB) costs
                // memory only as its bytes arrive.
                self.buf
                    .reserve(h.len.saturating_sub(self.buf.len()).min(RESERVE_AHEAD));
                self.header = Some(h);
                h
            }
        };
        if self.buf.len() < header.len {
            return Ok(None);
        }
        self.header = None;
        let payload = self.buf.split_to(header.len).freeze();
        Ok(Some(if header.flags & FLAG_TRAILERS != 0 {
            Frame::Trailers {
                block: payload,
                compressed: header.flags & FLAG_COMPRESSED != 0,
            }
        } else {
            Frame::Data {
                payload,
                compressed: header.flags & FLAG_COMPRESSED != 0,
            }
        }))
    }

    /// Checks that the body did not end inside a frame.
    pub fn finish(&self) -> Result<(), FrameError> {
        match self.header {
            Some(h) => Err(FrameError::Truncated {
                received: HEADER_LEN + self.buf.len(),
                expected: Some(HEADER_LEN + h.len),
            }),
            None if !self.buf.is_empty() => Err(FrameError::Truncated {
                received: self.buf.len(),
                expected: None,
            }),
            None => Ok(()),
        }
    }

    fn parse_header(&self) -> Result<Header, FrameError> {
        let flags = self.buf[0];
        if flags & !(FLAG_TRAILERS | FLAG_COMPRESSED) != 0 {
            return Err(FrameError::ReservedFlags(flags));
        }
        let len = u32::from_be_bytes([self.buf[1], self.buf[2], self.buf[3], self.buf[4]]);
        let trailers = flags & FLAG_TRAILERS != 0;
        let limit = if trailers {
            self.max_trailers_len
        } else {
            self.max_message_len
        };
        match usize::try_from(len) {
            Ok(n) if n <= limit => Ok(Header { flags, len: n }),
            _ => Err(FrameError::TooLarge {
                len,
                limit,
                trailers,
            }),
        }
    }
}

/// Appends `len` bytes that `fill` writes into `buf`'s spare capacity.
pub(crate) fn append_uninit(
    buf: &mut BytesMut,
    len: usize,
    fill: impl for<'a> FnOnce(&'a mut [MaybeUninit<u8>]) -> &'a mut [u8],
) {
    buf.reserve(len);
    let spare = &mut buf.spare_capacity_mut()[..len];
    let start = spare.as_ptr() as usize;
    let written = fill(spare);
    // A `&mut [u8]` over exactly the region given proves all of it was initialized.
    assert!(
        written.as_ptr() as usize == start && written.len() == len,
        "push_with: fill must return the slice it was given, initialized"
    );
    // SAFETY: the `len` bytes after the end are initialized (checked just above), and
    // `reserve` made room for them.
    unsafe { buf.set_len(buf.len() + len) }
}

/// Most room reserved ahead of the bytes buffered for a frame's payload: enough for a
/// few network chunks, so a large frame still grows in few steps.
const RESERVE_AHEAD: usize = 64 << 10;

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(flags: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = encode_header(flags, payload.len()).to_vec();
        v.extend_from_slice(payload);
        v
    }

    fn decode_all(d: &mut FrameDecoder) -> Result<Vec<Frame>, FrameError> {
        let mut out = Vec::new();
        while let Some(f) = d.next_frame()? {
            out.push(f);
        }
        Ok(out)
    }

    #[test]
    fn header_layout() {
        assert_eq!(encode_header(0x80, 0x0102_0304), [0x80, 1, 2, 3, 4]);
    }

    #[test]
    fn data_then_trailers_and_empty_frames() {
        let mut body = frame(0, b"");
        body.extend(frame(FLAG_COMPRESSED, b"z"));
        body.extend(frame(FLAG_TRAILERS, b"grpc-status: 0\r\n"));
        let mut d = FrameDecoder::new(10, 100);
        d.push(&body);
        let frames = decode_all(&mut d).unwrap();
        assert_eq!(
            frames,
            [
                Frame::Data {
                    payload: Bytes::new(),
                    compressed: false
                },
                Frame::Data {
                    payload: Bytes::from_static(b"z"),
                    compressed: true
                },
                Frame::Trailers {
                    block: Bytes::from_static(b"grpc-status: 0\r\n"),
                    compressed: false
                },
            ]
        );
        assert_eq!(d.finish(), Ok(()));
    }

    #[test]
    fn huge_length_prefix_is_refused_before_any_allocation() {
        let mut d = FrameDecoder::new(4 << 20, 8 << 10);
        d.push(&[0, 0xff, 0xff, 0xff, 0xff]);
        let err = d.next_frame().unwrap_err();
        assert_eq!(
            err,
            FrameError::TooLarge {
                len: u32::MAX,
                limit: 4 << 20,
                trailers: false
            }
        );
        assert!(d.buf.capacity() < 1024, "capacity {}", d.buf.capacity());
        assert_eq!(Status::from(err).code(), Code::ResourceExhausted);

        let mut d = FrameDecoder::new(4 << 20, 16);
        d.push(&frame(FLAG_TRAILERS, &[b'a'; 17]));
        assert!(matches!(
            d.next_frame(),
            Err(FrameError::TooLarge { trailers: true, .. })
        ));
    }

    #[test]
    fn a_claimed_length_costs_memory_only_as_its_bytes_arrive() {
        let mut d = FrameDecoder::new(1 << 30, 8 << 10);
        let mut head = vec![0];
        head.extend_from_slice(&(100u32 << 20).to_be_bytes());
        d.push(&head);
        d.push(b"12345");
        assert_eq!(d.next_frame(), Ok(None));
        assert!(
            d.buf.capacity() <= 2 * RESERVE_AHEAD,
            "capacity {} for 5 payload bytes of a 100 MiB claim",
            d.buf.capacity()
        );
    }

    #[test]
    fn push_with_fills_in_place() {
        let mut d = FrameDecoder::new(10, 10);
        let f = frame(0, b"abc");
        d.push_with(4, |dst| dst.write_copy_of_slice(&f[..4]));
        d.push_with(4, |dst| dst.write_copy_of_slice(&f[4..]));
        assert_eq!(
            d.next_frame(),
            Ok(Some(Frame::Data {
                payload: Bytes::from_static(b"abc"),
                compressed: false
            }))
        );
    }

    #[test]
    #[should_panic(expected = "fill must return the slice it was given")]
    fn push_with_refuses_a_partly_filled_region() {
        let mut d = FrameDecoder::new(10, 10);
        d.push_with(4, |dst| dst[..2].write_copy_of_slice(b"ab"));
    }

    #[test]
    fn reserved_flags_are_internal() {
        let mut d = FrameDecoder::new(10, 10);
        d.push(&frame(0x02, b""));
        let err = d.next_frame().unwrap_err();
        assert_eq!(err, FrameError::ReservedFlags(0x02));
        assert_eq!(Status::from(err).code(), Code::Internal);
    }

    #[test]
    fn truncation_is_reported() {
        let mut d = FrameDecoder::new(10, 10);
        d.push(&[0, 0, 0]);
        assert_eq!(d.next_frame(), Ok(None));
        assert_eq!(
            d.finish(),
            Err(FrameError::Truncated {
                received: 3,
                expected: None
            })
        );

        let mut d = FrameDecoder::new(10, 10);
        d.push(&frame(0, b"abcdef")[..8]);
        assert_eq!(d.next_frame(), Ok(None));
        let err = d.finish().unwrap_err();
        assert_eq!(
            err,
            FrameError::Truncated {
                received: 8,
                expected: Some(11)
            }
        );
        assert_eq!(Status::from(err).code(), Code::Internal);
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        fn frames() -> impl Strategy<Value = Vec<(u8, Vec<u8>)>> {
            let flags = prop::sample::select(vec![0u8, FLAG_COMPRESSED, FLAG_TRAILERS]);
            prop::collection::vec((flags, prop::collection::vec(any::<u8>(), 0..300)), 0..8)
        }

        proptest! {
            /// However the body is split, the same frames come out.
            #[test]
            fn any_chunking_decodes_the_same(frames in frames(), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12)) {
                let body: Vec<u8> = frames.iter().flat_map(|(f, p)| frame(*f, p)).collect();
                let mut points: Vec<usize> = cuts.iter().map(|i| i.index(body.len() + 1)).collect();
                points.push(0);
                points.push(body.len());
                points.sort_unstable();

                let mut d = FrameDecoder::new(300, 300);
                let mut out = Vec::new();
                for w in points.windows(2) {
                    d.push(&body[w[0]..w[1]]);
                    out.extend(decode_all(&mut d).unwrap());
                }
                prop_assert_eq!(d.finish(), Ok(()));
                let expected: Vec<Frame> = frames.iter().map(|(f, p)| {
                    let payload = Bytes::from(p.clone());
                    if f & FLAG_TRAILERS != 0 {
                        Frame::Trailers { block: payload, compressed: f & FLAG_COMPRESSED != 0 }
                    }
                    else { Frame::Data { payload, compressed: f & FLAG_COMPRESSED != 0 } }
                }).collect();
                prop_assert_eq!(out, expected);
            }

            /// Arbitrary bytes never panic, and the buffer never grows past what was pushed
            /// plus the limit.
            #[test]
            fn garbage_never_panics(chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 0..16)) {
                let mut d = FrameDecoder::new(128, 128);
                let mut pushed = 0;
                'outer: for c in &chunks {
                    d.push(c);
                    pushed += c.len();
                    loop {
                        match d.next_frame() {
                            Ok(Some(_)) => {}
                            Ok(None) => break,
                            Err(_) => break 'outer,
                        }
                    }
                    prop_assert!(d.buf.capacity() <= pushed + 128 + 64);
                }
                let _ = d.finish();
            }
        }
    }
}
