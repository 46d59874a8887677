//! Compressed frames inflated outside this pure core, by a codec that may be asynchronous
//! (the browser's `DecompressionStream`): the decoder holds each one until the caller takes
//! it, and yields nothing more until its result is back, so events keep their order.

use bytes::Bytes;

use super::{BodyDecoder, Event};
use crate::protocol::compression::{self, Compression, Encoding};
use crate::protocol::status::Status;
use crate::protocol::trailers;

/// A compressed frame for the caller to inflate ([`BodyDecoder::take_compressed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compressed {
    /// The frame's payload, as received.
    pub payload: Bytes,
    /// How it is compressed (the reply's `grpc-encoding`).
    pub scheme: Compression,
    /// The most bytes it may inflate to. An inflater stops as soon as it has more (a
    /// compression bomb costs no more than the limit) and reports
    /// [`too_large`](compression::too_large).
    pub limit: usize,
    /// Whether it is the trailer block rather than a message.
    pub trailers: bool,
}

impl Compressed {
    /// What the frame is, for error texts: "message" or "trailer block".
    pub fn what(&self) -> &'static str {
        what(self.trailers)
    }
}

/// Where a compressed frame is on its way through the outside codec.
#[derive(Debug)]
pub(super) enum Outside {
    /// Held for [`BodyDecoder::take_compressed`].
    Held(Compressed),
    /// Taken; its result is awaited.
    Awaited { trailers: bool, limit: usize },
    /// Its event, next out of [`BodyDecoder::next_event`].
    Ready(Event),
}

fn what(trailers: bool) -> &'static str {
    if trailers {
        "trailer block"
    } else {
        "message"
    }
}

/// The event a frame's (inflated) bytes make.
fn event(trailers: bool, bytes: Bytes) -> Result<Event, Status> {
    Ok(if trailers {
        Event::Trailers(trailers::parse(&bytes)?)
    } else {
        Event::Message(bytes)
    })
}

impl BodyDecoder {
    /// Leaves frames compressed in a known scheme to the caller instead of inflating them
    /// here (which needs the `gzip` feature): see [`take_compressed`](Self::take_compressed).
    pub fn inflate_outside(&mut self) {
        self.inflate_outside = true;
    }

    /// Whether a compressed frame stops the events: held for
    /// [`take_compressed`](Self::take_compressed), or awaiting its result.
    pub fn waits_for_inflation(&self) -> bool {
        matches!(
            self.outside,
            Some(Outside::Held(_) | Outside::Awaited { .. })
        )
    }

    /// The compressed frame to inflate, once [`next_event`](Self::next_event) stopped at
    /// it; its result goes to [`inflated`](Self::inflated).
    pub fn take_compressed(&mut self) -> Option<Compressed> {
        match self.outside.take()? {
            Outside::Held(frame) => {
                self.outside = Some(Outside::Awaited {
                    trailers: frame.trailers,
                    limit: frame.limit,
                });
                Some(frame)
            }
            other => {
                self.outside = Some(other);
                None
            }
        }
    }

    /// The result of inflating the frame taken: its event comes next, its bytes checked
    /// against the limit again (the codec is not trusted to have kept it). Ignored if no
    /// frame was taken.
    pub fn inflated(&mut self, result: Result<Bytes, Status>) -> Result<(), Status> {
        let Some(Outside::Awaited { trailers, limit }) = self.outside else {
            return Ok(());
        };
        self.outside = None;
        let bytes = result?;
        if bytes.len() > limit {
            return Err(compression::too_large(what(trailers), limit));
        }
        self.outside = Some(Outside::Ready(event(trailers, bytes)?));
        Ok(())
    }

    /// A compressed frame: held for the caller, or inflated here.
    pub(super) fn compressed(
        &mut self,
        payload: Bytes,
        trailers: bool,
    ) -> Result<Option<Event>, Status> {
        let limit = if trailers {
            self.limits.max_trailers_size
        } else {
            self.limits.max_message_size
        };
        if let (true, Encoding::Known(scheme)) = (self.inflate_outside, &self.encoding) {
            self.outside = Some(Outside::Held(Compressed {
                payload,
                scheme: *scheme,
                limit,
                trailers,
            }));
            return Ok(None);
        }
        let inflated = self.encoding.decompress(&payload, limit, what(trailers))?;
        event(trailers, Bytes::from(inflated)).map(Some)
    }
}
