//! The body of a framed reply as a sequence of events: messages, then exactly one trailer
//! block, then the end. Frames in any other order are a protocol violation.
//!
//! In text mode the chunks are base64 and are decoded first; compressed frames are inflated
//! with the reply's `grpc-encoding`, within the same limits as plain ones: here, or, once
//! [`BodyDecoder::inflate_outside`] is set, by the caller, who takes each compressed frame
//! ([`BodyDecoder::take_compressed`]) and hands the result back
//! ([`BodyDecoder::inflated`]) before the decoder goes on, so events keep their order.

use std::mem::MaybeUninit;

use bytes::{Bytes, BytesMut};

use super::compression::Encoding;
use super::detail::fixed;
use super::frame::{append_uninit, Frame, FrameDecoder};
use super::limits::Limits;
use super::metadata::MetadataMap;
use super::status::{Code, Status};
use super::text::TextDecoder;
use super::trailers;

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

/// Whether this build has text mode; a reply in it is refused earlier when not
/// ([`reply`](super::reply)).
const TEXT_MODE: bool = cfg!(feature = "text-mode");

/// The text decoder, if in text mode. Every use goes through here, so that without the
/// feature `text-mode` the compiler sees there is none and leaves the base64 code out.
fn text(text: &mut Option<(TextDecoder, BytesMut)>) -> Option<&mut (TextDecoder, BytesMut)> {
    text.as_mut().filter(|_| TEXT_MODE)
}

/// Turns body chunks into [`Event`]s, enforcing frame order and limits.
#[derive(Debug)]
pub struct BodyDecoder {
    frames: FrameDecoder,
    text: Option<(TextDecoder, BytesMut)>,
    encoding: Encoding,
    limits: Limits,
    trailers_seen: bool,
    inflate_outside: bool,
    /// A compressed frame on its way through an outside codec.
    outside: Option<Outside>,
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
            text: (TEXT_MODE && format.text).then(|| (TextDecoder::new(), BytesMut::new())),
            encoding: format.encoding,
            limits,
            trailers_seen: false,
            inflate_outside: false,
            outside: None,
        }
    }

    /// Appends a chunk; drain [`next_event`](Self::next_event) before the next push.
    ///
    /// In text mode the bytes are base64, decoded on the way in; invalid base64 is `INTERNAL`.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), Status> {
        match text(&mut self.text) {
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
        match text(&mut self.text) {
            None => self.frames.push_with(len, fill),
            Some((text, scratch)) => {
                scratch.clear();
                append_uninit(scratch, len, fill);
                self.frames.append_with(|buf| text.decode(scratch, buf))?;
            }
        }
        Ok(())
    }

    /// Text mode: the characters of the next chunk to push (with [`push_with`](Self::push_with))
    /// before offering the rest to another decoder, to end a quantum split across chunks;
    /// 0 at a quantum boundary and in binary mode. Without this, one chunk ending
    /// mid-quantum would leave every chunk after it to the Rust decoder.
    pub fn text_lead(&mut self) -> usize {
        text(&mut self.text).map_or(0, |(text, _)| text.quantum_missing())
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
        let Some((text, _)) = text(&mut self.text) else {
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

    /// The next complete event, `Ok(None)` if more input is needed (or while a frame
    /// handed up awaits its result).
    pub fn next_event(&mut self) -> Result<Option<Event>, Status> {
        match self.outside.take() {
            Some(Outside::Ready(event)) => return Ok(Some(event)),
            Some(waiting) => {
                self.outside = Some(waiting);
                return Ok(None);
            }
            None => {}
        }
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
            } => self.compressed(payload, false),
            Frame::Trailers { block, compressed } => {
                self.trailers_seen = true;
                if compressed {
                    return self.compressed(block, true);
                }
                Ok(Some(Event::Trailers(trailers::parse(&block)?)))
            }
        }
    }

    /// Checks the body ended cleanly: on a frame boundary, after the trailers.
    pub fn finish(&self) -> Result<(), Status> {
        if let Some((text, _)) = self.text.as_ref().filter(|_| TEXT_MODE) {
            text.finish()?;
        }
        self.frames.finish()?;
        if self.trailers_seen {
            Ok(())
        } else {
            Err(Status::new(
                Code::Internal,
                fixed!(
                    "response body ended without trailers",
                    "response body ended without trailers: truncated by the server or a proxy, or a \
                     trailers-only reply whose grpc-status header the server's CORS policy does not expose"
                ),
            ))
        }
    }

    /// Takes every message that is complete at the front of the body at once (see
    /// [`FrameDecoder::drain_data`]): `None` while a compressed frame is in the way, after
    /// the trailers (frames there are refused by [`next_event`](Self::next_event)), or when
    /// no message is complete.
    pub fn drain_messages<R>(
        &mut self,
        bounds: &mut Vec<u32>,
        take: impl FnOnce(&[u8], &[u32]) -> R,
    ) -> Option<R> {
        if self.outside.is_some() || self.trailers_seen {
            return None;
        }
        self.frames.drain_data(bounds, take)
    }

    /// Whether the trailer frame has been read.
    pub fn trailers_seen(&self) -> bool {
        self.trailers_seen
    }
}

mod outside;
#[cfg(test)]
mod tests;

pub use outside::Compressed;
use outside::Outside;
