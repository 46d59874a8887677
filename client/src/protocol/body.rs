//! The body of a framed reply as a sequence of events: messages, then exactly one trailer
//! block, then the end. Frames in any other order are a protocol violation.
//!
//! In text mode the chunks are base64 and are decoded first; compressed frames are inflated
//! with the reply's `grpc-encoding`, within the same limits as plain ones.

use std::mem::MaybeUninit;

use bytes::{Bytes, BytesMut};

use super::compression::Encoding;
use super::frame::{append_uninit, Frame, FrameDecoder};
use super::metadata::MetadataMap;
use super::status::{Code, Status};
use super::text::TextDecoder;
use super::trailers;

/// Size limits for what a reply may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest message accepted, in bytes (gRPC's customary default: 4 MiB), compressed or
    /// once decompressed.
    pub max_message_size: usize,
    /// Largest trailer block accepted, in bytes.
    pub max_trailers_size: usize,
    /// Largest set of response headers accepted (names and values), in bytes.
    pub max_headers_size: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_message_size: 4 * 1024 * 1024,
            max_trailers_size: 64 * 1024,
            max_headers_size: 64 * 1024,
        }
    }
}

/// How a reply body is encoded, read from its head.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyFormat {
    /// `application/grpc-web-text`: base64 over the frames.
    pub text: bool,
    /// The reply's `grpc-encoding`, for frames flagged as compressed.
    pub encoding: Encoding,
}

/// One step of a reply body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A serialized, uncompressed message.
    Message(Bytes),
    /// The trailers: always the last event.
    Trailers(MetadataMap),
}

/// Turns body chunks into [`Event`]s, enforcing frame order and limits.
#[derive(Debug)]
pub struct BodyDecoder {
    frames: FrameDecoder,
    text: Option<(TextDecoder, BytesMut)>,
    encoding: Encoding,
    limits: Limits,
    trailers_seen: bool,
}

impl BodyDecoder {
    /// A decoder for a binary, uncompressed body with these limits.
    pub fn new(limits: Limits) -> BodyDecoder {
        BodyDecoder::with_format(limits, BodyFormat::default())
    }

    /// A decoder for a body in `format`.
    pub fn with_format(limits: Limits, format: BodyFormat) -> BodyDecoder {
        BodyDecoder {
            frames: FrameDecoder::new(limits.max_message_size, limits.max_trailers_size),
            text: format.text.then(|| (TextDecoder::new(), BytesMut::new())),
            encoding: format.encoding,
            limits,
            trailers_seen: false,
        }
    }

    /// Appends a chunk; drain [`next_event`](Self::next_event) before the next push.
    ///
    /// In text mode the bytes are base64, decoded on the way in; invalid base64 is `INTERNAL`.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), Status> {
        match &mut self.text {
            None => self.frames.push(chunk),
            Some((text, _)) => self.frames.append_with(|buf| text.decode(chunk, buf))?,
        }
        Ok(())
    }

    /// Appends `len` bytes written in place by `fill` (see [`FrameDecoder::push_with`]):
    /// one copy from foreign memory, straight into the frame buffer in binary mode.
    pub fn push_with(
        &mut self,
        len: usize,
        fill: impl for<'a> FnOnce(&'a mut [MaybeUninit<u8>]) -> &'a mut [u8],
    ) -> Result<(), Status> {
        match &mut self.text {
            None => self.frames.push_with(len, fill),
            Some((text, scratch)) => {
                scratch.clear();
                append_uninit(scratch, len, fill);
                self.frames.append_with(|buf| text.decode(scratch, buf))?;
            }
        }
        Ok(())
    }

    /// Text mode: offers `decode`, another base64 decoder (the browser's own, which is
    /// native code), the next `len` characters of the body, to decode straight into the
    /// frame buffer. It gets zeroed room for all they could decode to, and returns how many
    /// characters it consumed (ending on a quantum boundary) and how many bytes it wrote,
    /// or `None` to decline.
    ///
    /// Returns the characters consumed: 0 in binary mode, in the middle of a quantum, when
    /// declined, or when the answer does not add up. The caller pushes the rest of the
    /// chunk with [`push_with`](Self::push_with), which also finds and names any error.
    pub fn push_text_with(
        &mut self,
        len: usize,
        decode: impl FnOnce(&mut [u8]) -> Option<(usize, usize)>,
    ) -> usize {
        let Some((text, _)) = &mut self.text else {
            return 0;
        };
        if !text.at_quantum_boundary() {
            return 0;
        }
        let room = len / 4 * 3;
        let read = self.frames.append_with(|buf| {
            let start = buf.len();
            buf.resize(start + room, 0);
            // Skipped whitespace only lowers what `read` characters decode to.
            let (read, written) = decode(&mut buf[start..])
                .filter(|&(read, written)| read <= len && written <= read / 4 * 3)
                .unwrap_or((0, 0));
            buf.truncate(start + written);
            read
        });
        text.skip(read);
        read
    }

    /// The next complete event, `Ok(None)` if more input is needed.
    pub fn next_event(&mut self) -> Result<Option<Event>, Status> {
        let Some(frame) = self.frames.next_frame()? else {
            return Ok(None);
        };
        if self.trailers_seen {
            return Err(Status::new(
                Code::Internal,
                "protocol error: frame received after the trailers",
            ));
        }
        match frame {
            Frame::Data {
                payload,
                compressed: false,
            } => Ok(Some(Event::Message(payload))),
            Frame::Data {
                payload,
                compressed: true,
            } => {
                let inflated =
                    self.encoding
                        .decompress(&payload, self.limits.max_message_size, "message")?;
                Ok(Some(Event::Message(Bytes::from(inflated))))
            }
            Frame::Trailers { block, compressed } => {
                self.trailers_seen = true;
                let block = if compressed {
                    Bytes::from(self.encoding.decompress(
                        &block,
                        self.limits.max_trailers_size,
                        "trailer block",
                    )?)
                } else {
                    block
                };
                Ok(Some(Event::Trailers(trailers::parse(&block)?)))
            }
        }
    }

    /// Checks the body ended cleanly: on a frame boundary, after the trailers.
    pub fn finish(&self) -> Result<(), Status> {
        if let Some((text, _)) = &self.text {
            text.finish()?;
        }
        self.frames.finish()?;
        if self.trailers_seen {
            Ok(())
        } else {
            Err(Status::new(
                Code::Internal,
                "response body ended without trailers: truncated by the server or a proxy, or a \
                 trailers-only reply whose grpc-status header the server's CORS policy does not expose",
            ))
        }
    }

    /// Whether the trailer frame has been read.
    pub fn trailers_seen(&self) -> bool {
        self.trailers_seen
    }
}

/// Collects the reply of a unary call: exactly one message, then an OK status.
#[derive(Debug, Default)]
pub struct UnaryReply {
    message: Option<Bytes>,
    trailers: Option<MetadataMap>,
}

impl UnaryReply {
    /// An empty collector.
    pub fn new() -> UnaryReply {
        UnaryReply::default()
    }

    /// Takes one event; a second message is a cardinality violation (`UNIMPLEMENTED`).
    pub fn on_event(&mut self, event: Event) -> Result<(), Status> {
        match event {
            Event::Message(_) if self.message.is_some() => Err(Status::new(
                Code::Unimplemented,
                "protocol error: more than one message in a unary reply",
            )),
            Event::Message(m) => {
                self.message = Some(m);
                Ok(())
            }
            Event::Trailers(t) => {
                self.trailers = Some(t);
                Ok(())
            }
        }
    }

    /// The message and trailers, or the status that ended the call.
    ///
    /// A non-OK status wins over a message that did arrive, as gRPC requires.
    pub fn finish(self) -> Result<(Bytes, MetadataMap), Status> {
        let status = final_status(self.trailers.as_ref())?;
        let trailers = status.metadata().clone();
        match self.message {
            Some(m) => Ok((m, trailers)),
            None => Err(no_message(trailers)),
        }
    }
}

/// The status that ends a reply, from its trailers: `Ok` with the OK status (its metadata
/// holds the trailers), `Err` for any other code, for missing trailers, or for trailers
/// without `grpc-status`.
pub fn final_status(trailers: Option<&MetadataMap>) -> Result<Status, Status> {
    let trailers = trailers
        .ok_or_else(|| Status::new(Code::Internal, "response body ended without trailers"))?;
    let status = Status::from_metadata(trailers).ok_or_else(|| {
        Status::new(
            Code::Internal,
            "protocol error: trailers without grpc-status",
        )
        .with_metadata(trailers.clone())
    })?;
    if status.code() == Code::Ok {
        Ok(status)
    } else {
        Err(status)
    }
}

/// The error for an OK unary reply that carried no message.
pub fn no_message(metadata: MetadataMap) -> Status {
    Status::new(
        Code::Unimplemented,
        "protocol error: unary reply ended with OK but no message",
    )
    .with_metadata(metadata)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::frame::{encode_header, FLAG_COMPRESSED, FLAG_TRAILERS};

    fn frame(flags: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = encode_header(flags, payload.len()).to_vec();
        v.extend_from_slice(payload);
        v
    }

    fn unary(body: &[u8]) -> Result<(Bytes, MetadataMap), Status> {
        let mut d = BodyDecoder::new(Limits::default());
        let mut reply = UnaryReply::new();
        d.push(body)?;
        while let Some(e) = d.next_event()? {
            reply.on_event(e)?;
        }
        d.finish()?;
        reply.finish()
    }

    #[test]
    fn ok_reply() {
        let mut body = frame(0, b"msg");
        body.extend(frame(FLAG_TRAILERS, b"grpc-status:0\r\nx-t: 1\r\n"));
        let (m, t) = unary(&body).unwrap();
        assert_eq!(&m[..], b"msg");
        assert_eq!(t.get("x-t"), Some("1"));
    }

    #[test]
    fn error_status_wins_and_keeps_trailers() {
        let mut body = frame(0, b"msg");
        body.extend(frame(
            FLAG_TRAILERS,
            b"grpc-status: 5\r\ngrpc-message: nope\r\nx-t: 1\r\n",
        ));
        let s = unary(&body).unwrap_err();
        assert_eq!((s.code(), s.message()), (Code::NotFound, "nope"));
        assert_eq!(s.metadata().get("x-t"), Some("1"));
    }

    #[test]
    fn cardinality_violations_are_unimplemented() {
        let ok = frame(FLAG_TRAILERS, b"grpc-status: 0\r\n");
        assert_eq!(unary(&ok).unwrap_err().code(), Code::Unimplemented);
        let mut two = frame(0, b"a");
        two.extend(frame(0, b"b"));
        two.extend(&ok);
        assert_eq!(unary(&two).unwrap_err().code(), Code::Unimplemented);
    }

    #[test]
    fn order_and_ending_violations_are_internal() {
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("no trailers", frame(0, b"a")),
            ("empty body", vec![]),
            ("truncated", frame(0, b"abc")[..6].to_vec()),
            (
                "after trailers",
                [frame(FLAG_TRAILERS, b"grpc-status: 0"), frame(0, b"a")].concat(),
            ),
            (
                "compressed without grpc-encoding",
                [
                    frame(FLAG_COMPRESSED, b"a"),
                    frame(FLAG_TRAILERS, b"grpc-status: 0"),
                ]
                .concat(),
            ),
            (
                "no grpc-status",
                [frame(0, b"a"), frame(FLAG_TRAILERS, b"x: 1")].concat(),
            ),
        ];
        for (name, body) in cases {
            let s = unary(&body).unwrap_err();
            assert_eq!(s.code(), Code::Internal, "{name}: {s}");
        }
    }

    #[test]
    fn oversized_message_is_resource_exhausted() {
        let mut d = BodyDecoder::new(Limits {
            max_message_size: 2,
            ..Limits::default()
        });
        d.push(&frame(0, b"abc")).unwrap();
        let s = d.next_event().unwrap_err();
        assert_eq!(s.code(), Code::ResourceExhausted);
        assert!(s.message().contains("limit of 2 bytes"), "{s}");
    }

    fn events(format: BodyFormat, chunks: &[&[u8]]) -> Result<Vec<Event>, Status> {
        let mut d = BodyDecoder::with_format(Limits::default(), format);
        let mut out = Vec::new();
        for c in chunks {
            d.push(c)?;
            while let Some(e) = d.next_event()? {
                out.push(e);
            }
        }
        d.finish()?;
        Ok(out)
    }

    fn ok_trailers() -> Event {
        let mut t = MetadataMap::new();
        t.push_received("grpc-status", "0");
        Event::Trailers(t)
    }

    #[test]
    fn text_mode_decodes_base64_flushed_in_pieces() {
        use crate::protocol::text::encode;
        let a = encode(&frame(0, b"hello"));
        let b = encode(&frame(FLAG_TRAILERS, b"grpc-status: 0"));
        let body = format!("{a}{b}");
        let format = BodyFormat {
            text: true,
            ..BodyFormat::default()
        };
        let split = body.len() / 2 + 1;
        let got = events(
            format.clone(),
            &[&body.as_bytes()[..split], &body.as_bytes()[split..]],
        )
        .unwrap();
        assert_eq!(
            got,
            [Event::Message(Bytes::from_static(b"hello")), ok_trailers()]
        );
        let s = events(format, &[b"AAAA*AAA"]).unwrap_err();
        assert_eq!(s.code(), Code::Internal);
    }

    #[test]
    #[cfg(feature = "gzip")]
    fn gzip_frames_and_the_compressed_trailer_frame() {
        use crate::protocol::compression::{compress, Compression};
        let gz = BodyFormat {
            text: false,
            encoding: Encoding::Known(Compression::Gzip),
        };
        let body = [
            frame(
                FLAG_COMPRESSED,
                &compress(Compression::Gzip, b"packed").unwrap(),
            ),
            frame(0, b"plain"),
            frame(
                FLAG_TRAILERS | FLAG_COMPRESSED,
                &compress(Compression::Gzip, b"grpc-status: 0").unwrap(),
            ),
        ]
        .concat();
        assert_eq!(
            events(gz.clone(), &[&body]).unwrap(),
            [
                Event::Message(Bytes::from_static(b"packed")),
                Event::Message(Bytes::from_static(b"plain")),
                ok_trailers()
            ]
        );

        // A bomb: 1 MiB of zeros in a few hundred bytes, against a 1 KiB limit.
        let bomb = frame(
            FLAG_COMPRESSED,
            &compress(Compression::Gzip, &[0; 1 << 20]).unwrap(),
        );
        let mut d = BodyDecoder::with_format(
            Limits {
                max_message_size: 1024,
                ..Limits::default()
            },
            gz,
        );
        d.push(&bomb).unwrap();
        assert_eq!(d.next_event().unwrap_err().code(), Code::ResourceExhausted);

        let unsupported = BodyFormat {
            text: false,
            encoding: Encoding::Unsupported("snappy".into()),
        };
        let s = events(unsupported, &[&frame(FLAG_COMPRESSED, b"x")]).unwrap_err();
        assert_eq!(s.code(), Code::Internal);
        assert!(s.message().contains("snappy"), "{s}");
    }

    #[cfg(all(not(target_arch = "wasm32"), feature = "gzip"))]
    mod props {
        use super::*;
        use crate::protocol::base64;
        use crate::protocol::compression::{compress, Compression};
        use crate::protocol::text::encode;
        use proptest::prelude::*;

        /// Decodes as `Uint8Array.prototype.setFromBase64` does, segment by segment up to
        /// each padding run, the last one with `lastChunkHandling: "stop-before-partial"`;
        /// `None` where it would throw.
        fn browser_like(input: &[u8], out: &mut [u8]) -> Option<(usize, usize)> {
            let (mut read, mut written) = (0, 0);
            while read < input.len() {
                let rest = &input[read..];
                let (digits, end) = match rest.iter().position(|&c| c == b'=') {
                    Some(p) => (
                        &rest[..p],
                        p + 1 + usize::from(rest.get(p + 1) == Some(&b'=')),
                    ),
                    None => (&rest[..rest.len() / 4 * 4], rest.len() / 4 * 4),
                };
                let padded = end > digits.len();
                if padded && digits.len() % 4 + (end - digits.len()) != 4 {
                    return None;
                }
                let bytes = base64::decode_unpadded(digits).ok()?;
                out.get_mut(written..written + bytes.len())?
                    .copy_from_slice(&bytes);
                written += bytes.len();
                read += end;
                if !padded {
                    break;
                }
            }
            Some((read, written))
        }

        proptest! {
            /// Random messages, some gzip-compressed, then trailers; sent binary or as text
            /// with each frame base64-encoded on its own; split anywhere: the same events
            /// come out, in order.
            #[test]
            fn any_body_any_split(
                messages in prop::collection::vec((any::<bool>(), prop::collection::vec(any::<u8>(), 0..200)), 0..6),
                text in any::<bool>(),
                cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
            ) {
                let mut frames: Vec<Vec<u8>> = messages.iter().map(|(packed, m)| {
                    if *packed { frame(FLAG_COMPRESSED, &compress(Compression::Gzip, m).unwrap()) } else { frame(0, m) }
                }).collect();
                frames.push(frame(FLAG_TRAILERS, b"grpc-status: 0\r\nx-k: v"));
                let body: Vec<u8> = if text {
                    frames.iter().map(|f| encode(f)).collect::<String>().into_bytes()
                } else {
                    frames.concat()
                };
                let mut points: Vec<usize> = cuts.iter().map(|i| i.index(body.len() + 1)).collect();
                points.extend([0, body.len()]);
                points.sort_unstable();
                let chunks: Vec<&[u8]> = points.windows(2).map(|w| &body[w[0]..w[1]]).collect();

                let format = BodyFormat { text, encoding: Encoding::Known(Compression::Gzip) };
                let got = events(format, &chunks).unwrap();
                prop_assert_eq!(got.len(), messages.len() + 1);
                for (event, (_, m)) in got.iter().zip(&messages) {
                    prop_assert_eq!(event, &Event::Message(Bytes::from(m.clone())));
                }
                let Some(Event::Trailers(t)) = got.last() else { panic!("no trailers") };
                prop_assert_eq!(t.get("x-k"), Some("v"));
            }

            /// Text bodies with padding mid-stream, split anywhere, with each chunk offered
            /// first to another decoder that works as the browser's does (it decodes up to
            /// each padding run, stops before a partial quantum at the end, and declines
            /// what it cannot read) or declines at random: the same events as `push` alone.
            #[test]
            fn text_direct_decoding_yields_the_same_events(
                messages in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..100), 0..5),
                cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
                declines in prop::collection::vec(any::<bool>(), 12),
                garbage in prop::option::of((any::<prop::sample::Index>(), any::<prop::sample::Index>())),
            ) {
                let mut frames: Vec<Vec<u8>> = messages.iter().map(|m| frame(0, m)).collect();
                frames.push(frame(FLAG_TRAILERS, b"grpc-status: 0"));
                let mut body = frames.iter().map(|f| encode(f)).collect::<String>().into_bytes();
                if let Some((at, which)) = &garbage {
                    let bytes = b"*= \n";
                    body.insert(at.index(body.len() + 1), bytes[which.index(bytes.len())]);
                }
                let mut points: Vec<usize> = cuts.iter().map(|i| i.index(body.len() + 1)).collect();
                points.extend([0, body.len()]);
                points.sort_unstable();
                let chunks: Vec<&[u8]> = points.windows(2).map(|w| &body[w[0]..w[1]]).collect();

                let format = BodyFormat { text: true, ..BodyFormat::default() };
                let want = events(format.clone(), &chunks);
                let mut d = BodyDecoder::with_format(Limits::default(), format);
                let got = (|| {
                    let mut out = Vec::new();
                    for (i, c) in chunks.iter().enumerate() {
                        let read = d.push_text_with(c.len(), |dst| {
                            if declines[i % declines.len()] { None } else { browser_like(c, dst) }
                        });
                        d.push(&c[read..])?;
                        while let Some(e) = d.next_event()? {
                            out.push(e);
                        }
                    }
                    d.finish()?;
                    Ok::<_, Status>(out)
                })();
                match (want, got) {
                    (Ok(want), Ok(got)) => prop_assert_eq!(want, got),
                    (Err(want), Err(got)) => prop_assert_eq!(want.code(), got.code()),
                    (want, got) => prop_assert!(false, "{:?} vs {:?}", want, got),
                }
            }

            /// Arbitrary bytes, binary or text, never panic the body decoder.
            #[test]
            fn garbage_never_panics(
                chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 0..12),
                text in any::<bool>(),
            ) {
                let format = BodyFormat { text, encoding: Encoding::Known(Compression::Gzip) };
                let chunks: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
                let _ = events(format, &chunks);
            }
        }
    }
}
