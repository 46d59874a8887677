//! One reply, from its head to its end: the only place that decides how a call ends.
//!
//! [`ReplyDecoder`] takes the reply's head, then its body in whatever chunks the network
//! delivers, and yields the call's messages followed by exactly one end: the trailers of
//! an OK status, or the [`Status`] of a failure. Trailers-only replies, missing trailers,
//! a missing or invalid `grpc-status`, a unary call's cardinality and the HTTP → gRPC
//! mapping are all decided here, so every transport and every face (Rust, tonic, JS)
//! reports the same outcome for the same bytes.
//!
//! ```
//! use grpc_web_wasm::protocol::metadata::MetadataMap;
//! use grpc_web_wasm::protocol::reply::{Cardinality, ReplyDecoder, ReplyHead, Yield};
//! use grpc_web_wasm::Limits;
//!
//! let headers = MetadataMap::new();
//! let head = ReplyHead { status: 200, content_type: Some("application/grpc-web+proto"), headers: &headers };
//! let mut reply = ReplyDecoder::new(&head, Cardinality::Unary, Limits::default());
//! reply.push(&[0, 0, 0, 0, 2, 0x08, 0x01]); // one message
//! reply.push(b"\x80\x00\x00\x00\x10grpc-status: 0\r\n"); // the trailers
//! reply.end_of_body();
//! assert!(matches!(reply.next(), Some(Yield::Message(m)) if m[..] == [0x08, 0x01]));
//! assert!(matches!(reply.next(), Some(Yield::End(Ok(_)))));
//! assert!(reply.next().is_none());
//! ```

mod drain;
mod head;
mod inflate;
#[cfg(test)]
mod tests;

use std::mem::{self, MaybeUninit};

use bytes::Bytes;

use super::body::{BodyDecoder, Event};
use super::detail::fixed;
use super::limits::Limits;
use super::metadata::MetadataMap;
use super::status::{Code, Status};
use head::Start;

pub use head::{excerpt, ReplyHead, EXCERPT_READ_BYTES};

/// How many messages a call's reply carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cardinality {
    /// Exactly one message with an OK status; anything else is `UNIMPLEMENTED`.
    Unary,
    /// Any number of messages.
    Stream,
}

/// What a reply yields: messages, then exactly one end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Yield {
    /// A serialized message. A unary reply yields its one message only once the call has
    /// ended OK, right before the end.
    Message(Bytes),
    /// The end: the trailers of an OK status (`grpc-status` included), or the failure.
    End(Result<MetadataMap, Status>),
}

// One per call and nearly always `Framed`: boxing it would cost every call an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Default)]
enum State {
    Framed(Framed),
    /// Not gRPC-Web: the start of the body, kept for this error's excerpt.
    Excerpt(Status, Vec<u8>),
    /// Decided; `message` goes out first (a unary reply's).
    Ending(Option<Bytes>, Result<MetadataMap, Status>),
    #[default]
    Done,
}

#[derive(Debug)]
struct Framed {
    body: BodyDecoder,
    /// A `grpc-status` from the headers: the end if the body is empty.
    header_status: Option<Status>,
    body_seen: bool,
    /// A unary reply's message, held until the end says it counts.
    message: Option<Bytes>,
    trailers: Option<MetadataMap>,
}

/// The state machine of one reply; see the [module docs](self).
///
/// Feed it with [`push`](Self::push) (or the in-place variants) and
/// [`end_of_body`](Self::end_of_body), and drain [`next`](Self::next) after each push.
/// Nothing it is given can make it panic; bad input becomes the end's [`Status`].
#[derive(Debug)]
pub struct ReplyDecoder {
    state: State,
    cardinality: Cardinality,
    body_ended: bool,
}

impl ReplyDecoder {
    /// A decoder for the reply with this head, to a call of `cardinality`.
    pub fn new(head: &ReplyHead<'_>, cardinality: Cardinality, limits: Limits) -> ReplyDecoder {
        let state = match head::classify(head, &limits) {
            Start::Framed(format, header_status) => State::Framed(Framed {
                body: BodyDecoder::with_format(limits, format),
                header_status,
                body_seen: false,
                message: None,
                trailers: None,
            }),
            Start::TrailersOnly(status) => ending(None, trailers_only(status, cardinality)),
            Start::NotGrpcWeb(status) => State::Excerpt(status, Vec::new()),
            Start::Failed(status) => ending(None, Err(status)),
        };
        ReplyDecoder {
            state,
            cardinality,
            body_ended: false,
        }
    }

    /// Whether the decoder still reads the body. Once it does not, the transport may stop
    /// reading (and cancel the download): the end is decided.
    pub fn wants_body(&self) -> bool {
        !self.body_ended && matches!(self.state, State::Framed(_) | State::Excerpt(..))
    }

    /// Whether the reply's head committed the call (gRFC A6's "response headers
    /// received"): a framed gRPC-Web reply whose headers carry no `grpc-status`. Asked right
    /// after [`new`](Self::new); a trailers-only reply, a proxy's page or a refused head
    /// does not commit, so the call may still be retried.
    pub fn headers_received(&self) -> bool {
        matches!(&self.state, State::Framed(f) if f.header_status.is_none())
    }

    /// Appends a chunk of the body (base64 in text mode). Drain [`next`](Self::next)
    /// before the next push, so at most one frame and one chunk are buffered.
    pub fn push(&mut self, chunk: &[u8]) {
        if self.body_ended || chunk.is_empty() {
            return;
        }
        match &mut self.state {
            State::Framed(f) => {
                f.body_seen = true;
                if let Err(status) = f.body.push(chunk) {
                    self.state = ending(None, Err(status));
                }
            }
            State::Excerpt(_, start) => {
                let take = chunk.len().min(EXCERPT_READ_BYTES - start.len());
                start.extend_from_slice(&chunk[..take]);
            }
            State::Ending(..) | State::Done => {}
        }
    }

    /// Appends `len` bytes that `fill` writes in place (see
    /// [`FrameDecoder::push_with`](super::frame::FrameDecoder::push_with)): a chunk in
    /// foreign memory is copied once, straight into the frame buffer.
    pub fn push_with(
        &mut self,
        len: usize,
        fill: impl for<'a> FnOnce(&'a mut [MaybeUninit<u8>]) -> &'a mut [u8],
    ) {
        if self.body_ended || len == 0 {
            return;
        }
        match &mut self.state {
            State::Framed(f) => {
                f.body_seen = true;
                if let Err(status) = f.body.push_with(len, fill) {
                    self.state = ending(None, Err(status));
                }
            }
            State::Excerpt(_, start) if start.len() < EXCERPT_READ_BYTES => {
                let mut chunk = bytes::BytesMut::new();
                super::frame::append_uninit(&mut chunk, len, fill);
                let take = chunk.len().min(EXCERPT_READ_BYTES - start.len());
                start.extend_from_slice(&chunk[..take]);
            }
            State::Excerpt(..) | State::Ending(..) | State::Done => {}
        }
    }

    /// Text mode: how many characters of the next chunk to push first, before offering
    /// the rest with [`push_text_with`](Self::push_text_with) (see
    /// [`BodyDecoder::text_lead`]).
    pub fn text_lead(&mut self) -> usize {
        match &mut self.state {
            State::Framed(f) if !self.body_ended => f.body.text_lead(),
            _ => 0,
        }
    }

    /// Text mode: lets another base64 decoder write straight into the frame buffer (see
    /// [`BodyDecoder::push_text_with`]); returns the characters it consumed, 0 where it
    /// does not apply. The caller pushes the rest of the chunk.
    pub fn push_text_with(
        &mut self,
        len: usize,
        decode: impl FnOnce(&mut [u8]) -> Option<(usize, usize)>,
    ) -> usize {
        match &mut self.state {
            State::Framed(f) if !self.body_ended && len > 0 => {
                let read = f.body.push_text_with(len, decode);
                f.body_seen |= read > 0;
                read
            }
            _ => 0,
        }
    }

    /// The transport failed (a dropped connection, a deadline, a cancellation): `status`
    /// ends the reply, unless its end is decided already.
    pub fn fail(&mut self, status: Status) {
        if matches!(self.state, State::Framed(_) | State::Excerpt(..)) {
            self.state = ending(None, Err(status));
        }
        self.body_ended = true;
    }

    /// The body has ended (the network said so).
    pub fn end_of_body(&mut self) {
        self.body_ended = true;
    }

    /// What the reply yields next: `None` when it needs more of the body, or a compressed
    /// frame inflated ([`take_compressed`](Self::take_compressed)), or after the end.
    #[allow(clippy::should_implement_trait)] // not an Iterator: `None` means "not yet"
    pub fn next(&mut self) -> Option<Yield> {
        loop {
            match &mut self.state {
                State::Framed(f) => match f.body.next_event() {
                    Err(status) => self.state = ending(None, Err(status)),
                    Ok(Some(Event::Message(m))) => match self.cardinality {
                        Cardinality::Stream => return Some(Yield::Message(m)),
                        Cardinality::Unary if f.message.is_some() => {
                            self.state = ending(None, Err(second_message()))
                        }
                        Cardinality::Unary => f.message = Some(m),
                    },
                    Ok(Some(Event::Trailers(t))) => f.trailers = Some(t),
                    // More body needed, or a compressed frame inflated outside first.
                    Ok(None) if !self.body_ended || f.body.waits_for_inflation() => return None,
                    Ok(None) => {
                        if let State::Framed(f) = mem::take(&mut self.state) {
                            self.state = f.end(self.cardinality);
                        }
                    }
                },
                State::Excerpt(_, start)
                    if !self.body_ended && start.len() < EXCERPT_READ_BYTES =>
                {
                    return None
                }
                State::Excerpt(..) => {
                    if let State::Excerpt(status, start) = mem::take(&mut self.state) {
                        let http = status.http_status().unwrap_or_default();
                        let status = status.with_http_reply(http, excerpt(&start));
                        self.state = ending(None, Err(status));
                    }
                }
                State::Ending(message @ Some(_), _) => return message.take().map(Yield::Message),
                State::Ending(None, _) => {
                    return match mem::take(&mut self.state) {
                        State::Ending(_, end) => Some(Yield::End(end)),
                        _ => None,
                    }
                }
                State::Done => return None,
            }
        }
    }
}

impl Framed {
    /// The end of a framed reply whose body has ended.
    fn end(self, cardinality: Cardinality) -> State {
        if !self.body_seen {
            return match self.header_status {
                Some(status) => ending(None, trailers_only(status, cardinality)),
                None => ending(
                    None,
                    Err(Status::new(
                        Code::Unknown,
                        fixed!(
                            "the reply has no grpc-status",
                            "the reply has no grpc-status: its body is empty and its headers carry none \
                             (a trailers-only reply whose grpc-status header the server's CORS policy \
                             does not expose?)"
                        ),
                    )),
                ),
            };
        }
        if let Err(status) = self.body.finish() {
            return ending(None, Err(status));
        }
        // `finish` succeeds only after the trailer frame.
        let trailers = self.trailers.unwrap_or_default();
        let Some(status) = Status::from_metadata(&trailers) else {
            return ending(
                None,
                Err(Status::new(
                    Code::Unknown,
                    "protocol error: trailers without grpc-status",
                )
                .carrying_metadata(trailers)),
            );
        };
        match (status.code(), cardinality, self.message) {
            (Code::Ok, Cardinality::Unary, None) => ending(None, Err(no_message(trailers))),
            (Code::Ok, _, message) => ending(message, Ok(trailers)),
            _ => ending(None, Err(status)),
        }
    }
}

fn ending(message: Option<Bytes>, end: Result<MetadataMap, Status>) -> State {
    State::Ending(message, end)
}

/// The end of a reply whose status came in its headers, with no body.
fn trailers_only(status: Status, cardinality: Cardinality) -> Result<MetadataMap, Status> {
    match (status.code(), cardinality) {
        (Code::Ok, Cardinality::Unary) => Err(no_message(status.metadata().clone())),
        (Code::Ok, Cardinality::Stream) => Ok(status.metadata().clone()),
        _ => Err(status),
    }
}

fn second_message() -> Status {
    Status::new(
        Code::Unimplemented,
        "protocol error: more than one message in a unary reply",
    )
}

/// The error for an OK unary reply that carried no message.
fn no_message(metadata: MetadataMap) -> Status {
    Status::new(
        Code::Unimplemented,
        "protocol error: unary reply ended with OK but no message",
    )
    .carrying_metadata(metadata)
}
