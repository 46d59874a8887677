//! A stream's messages taken many at once, for a face that hands them on in batches: the
//! order and the one end stay [`ReplyDecoder::next`]'s to decide.

use super::{Cardinality, ReplyDecoder, State};

impl ReplyDecoder {
    /// A stream's messages that are complete in what was pushed, all at once: `take` gets
    /// the bytes they span and where each lies in them (see
    /// [`FrameDecoder::drain_data`](crate::protocol::frame::FrameDecoder::drain_data)). `None` when
    /// [`next`](Self::next) must go first: nothing complete, a unary reply, or anything but
    /// plain messages at the front (a compressed frame, the trailers, an error, the end).
    pub fn drain_messages<R>(
        &mut self,
        bounds: &mut Vec<u32>,
        take: impl FnOnce(&[u8], &[u32]) -> R,
    ) -> Option<R> {
        match &mut self.state {
            State::Framed(f) if self.cardinality == Cardinality::Stream => {
                f.body.drain_messages(bounds, take)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
