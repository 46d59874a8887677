//! A stream taken in batches, for the npm package: what the reply holds complete leaves
//! it at once, through the same loop that yields messages one by one.

use std::task::{ready, Context, Poll};

use bytes::Bytes;

use super::{Step, Streaming};
use crate::protocol::reply::{ReplyDecoder, Yield};
use crate::protocol::status::Status;

/// A batch of a stream's messages ([`Streaming::poll_batch`]).
pub(crate) enum Batch<R> {
    /// Messages taken from the decoder at once.
    Drained(R),
    /// One message, which came the usual way (inflated, say).
    One(Bytes),
}

impl Streaming<Bytes> {
    /// A step of a stream taken in batches: what `drain` takes from the decoder at once
    /// (see [`ReplyDecoder::drain_messages`]), or else the next message alone; `Ok(None)`
    /// at a successful end. Raw bytes only: drained messages skip `decode`.
    pub(crate) fn poll_batch<R>(
        &mut self,
        cx: &mut Context<'_>,
        drain: &mut impl FnMut(&mut ReplyDecoder) -> Option<R>,
    ) -> Poll<Result<Option<Batch<R>>, Status>> {
        if self.done {
            return Poll::Ready(Ok(None));
        }
        let one = match ready!(self.raw.poll_step(cx, drain)) {
            Some(Step::Drained(drained)) => return Poll::Ready(Ok(Some(Batch::Drained(drained)))),
            Some(Step::Yield(Yield::Message(bytes))) => self.decoded(bytes),
            Some(Step::Yield(Yield::End(end))) => self.end(end),
            None => None,
        };
        Poll::Ready(one.transpose().map(|one| one.map(Batch::One)))
    }
}
