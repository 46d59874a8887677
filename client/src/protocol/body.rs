//! The body of a framed reply as a sequence of events: messages, then exactly one trailer
//! block, then the end. Frames in any other order are a protocol violation.

use bytes::Bytes;

use super::frame::{Frame, FrameDecoder};
use super::metadata::MetadataMap;
use super::status::{Code, Status};
use super::trailers;

/// Size limits for what a reply may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest message accepted, in bytes (gRPC's customary default: 4 MiB).
    pub max_message_size: usize,
    /// Largest trailer block accepted, in bytes.
    pub max_trailers_size: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_message_size: 4 * 1024 * 1024,
            max_trailers_size: 64 * 1024,
        }
    }
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
    trailers_seen: bool,
}

impl BodyDecoder {
    /// A decoder with these limits.
    pub fn new(limits: Limits) -> BodyDecoder {
        BodyDecoder {
            frames: FrameDecoder::new(limits.max_message_size, limits.max_trailers_size),
            trailers_seen: false,
        }
    }

    /// Appends a chunk; drain [`next_event`](Self::next_event) before the next push.
    pub fn push(&mut self, chunk: &[u8]) {
        self.frames.push(chunk);
    }

    /// Appends `len` bytes written in place by `fill` (see [`FrameDecoder::push_with`]).
    pub fn push_with(&mut self, len: usize, fill: impl FnOnce(&mut [u8])) {
        self.frames.push_with(len, fill);
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
                compressed: true, ..
            } => Err(Status::new(
                Code::Internal,
                "protocol error: compressed message, but no compression was negotiated",
            )),
            Frame::Data { payload, .. } => Ok(Some(Event::Message(payload))),
            Frame::Trailers(block) => {
                self.trailers_seen = true;
                Ok(Some(Event::Trailers(trailers::parse(&block)?)))
            }
        }
    }

    /// Checks the body ended cleanly: on a frame boundary, after the trailers.
    pub fn finish(&self) -> Result<(), Status> {
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
        let trailers = self
            .trailers
            .ok_or_else(|| Status::new(Code::Internal, "response body ended without trailers"))?;
        let status = Status::from_metadata(&trailers).ok_or_else(|| {
            Status::new(
                Code::Internal,
                "protocol error: trailers without grpc-status",
            )
            .with_metadata(trailers.clone())
        })?;
        if status.code() != Code::Ok {
            return Err(status);
        }
        match self.message {
            Some(m) => Ok((m, trailers)),
            None => Err(no_message(trailers)),
        }
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
        d.push(body);
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
                "compressed",
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
            max_trailers_size: 64,
        });
        d.push(&frame(0, b"abc"));
        let s = d.next_event().unwrap_err();
        assert_eq!(s.code(), Code::ResourceExhausted);
        assert!(s.message().contains("limit of 2 bytes"), "{s}");
    }
}
