//! Compressed frames inflated outside the pure core: the reply hands each one up, waits,
//! and takes the result back in its place, so order and the one end are still decided here.

use bytes::Bytes;

use super::{ending, ReplyDecoder, State};
use crate::protocol::body::Compressed;
use crate::protocol::status::Status;

impl ReplyDecoder {
    /// Leaves compressed frames to the caller instead of inflating them in this pure core
    /// (see [`take_compressed`](Self::take_compressed)): for a codec outside it, such as the
    /// browser's `DecompressionStream`.
    pub fn inflate_outside(&mut self) {
        if let State::Framed(f) = &mut self.state {
            f.body.inflate_outside();
        }
    }

    /// After [`next`](Self::next) returned `None`: the compressed frame to inflate, if that
    /// is what the reply waits for. Its result goes to [`inflated`](Self::inflated); until
    /// then `next` yields nothing, so messages keep their order and the end comes last.
    pub fn take_compressed(&mut self) -> Option<Compressed> {
        match &mut self.state {
            State::Framed(f) => f.body.take_compressed(),
            _ => None,
        }
    }

    /// The result of inflating the frame from [`take_compressed`](Self::take_compressed):
    /// its bytes (held to the frame's limit again), or the failure that ends the reply.
    pub fn inflated(&mut self, result: Result<Bytes, Status>) {
        if let State::Framed(f) = &mut self.state {
            if let Err(status) = f.body.inflated(result) {
                self.state = ending(None, Err(status));
            }
        }
    }
}

#[cfg(test)]
mod tests;
