//! Reading a response body chunk by chunk through its `ReadableStream` reader.

use std::task::{ready, Context, Poll};

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::ReadableStream;

use super::abort::Abort;
use super::settle::{Pending, Settle, FULFILLED, REJECTED};
use crate::protocol::detail::detail;
use crate::protocol::status::{Code, Status};

#[wasm_bindgen(module = "/src/transport/fetch.js")]
extern "C" {
    /// A body being read: its reader and, where the browser has them (fetch bodies are
    /// byte streams), the buffer the next read fills (a BYOB reader). Reusing one buffer
    /// spares the browser a fresh `ArrayBuffer` per chunk: in Chromium, reading a 64 MiB
    /// stream that way and copying each chunk out was faster than the default reader
    /// without any copy. The buffer starts at 2 KiB and doubles, up to 256 KiB, while
    /// reads fill it; ended bodies leave theirs for the next (up to 32 buffers and 1 MiB
    /// are kept). Small and pooled because a fresh buffer costs: in Chromium a 16 KiB
    /// `ArrayBuffer` took about 8 µs to make, a 2 KiB one under 2 µs, against 10 µs for the
    /// whole of a small reply's two reads, and 32 calls in flight once outran a pool of 4.
    type JsBody;
    fn open_body(stream: &ReadableStream) -> JsBody;
    /// The next read, settled into `settle(id, kind, value)`: kind 0 is the end, 1 a
    /// byte chunk (valid until the next read, which reuses its memory), 2 a chunk of
    /// another type, 3 a failure (`value` is the error). One call into JS per chunk, and
    /// no closure made for it.
    fn read_chunk(body: &JsBody, settle: &Settle, id: f64);
    /// Gives the buffer back for reuse, after cancelling the stream if `cancel`.
    fn close_body(body: &JsBody, cancel: bool);
}

const END: u32 = 0;
const BYTES: u32 = FULFILLED;
const FAILED: u32 = REJECTED;

/// A response body as a sequence of chunks. Dropping it before the end cancels the stream
/// and aborts the request.
pub(crate) struct BodyReader {
    reader: Option<JsBody>,
    read: Pending,
    abort: Abort,
}

impl BodyReader {
    pub(crate) fn new(stream: Option<ReadableStream>, abort: Abort) -> BodyReader {
        let reader = stream.map(|s| open_body(&s));
        BodyReader {
            reader,
            read: Pending::default(),
            abort,
        }
    }

    /// The next chunk, `None` at the end. The chunk is valid until the next call: copy it
    /// out before reading on (its memory is reused). A failed read is `UNAVAILABLE` (the
    /// connection dropped), `DEADLINE_EXCEEDED` or `CANCELLED` (the call was aborted).
    pub(crate) fn poll_chunk(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Uint8Array>, Status>> {
        let Some(reader) = &self.reader else {
            return Poll::Ready(Ok(None));
        };
        if !self.read.is_out() {
            self.read.start(|settle, id| read_chunk(reader, settle, id));
        }
        let (kind, value) = match self.read.poll(cx) {
            Poll::Ready(outcome) => outcome,
            // An abort ends the wait even if the stream never answers its reader.
            Poll::Pending => {
                let status = ready!(self.abort.poll_fired(cx));
                self.read = Pending::default();
                if let Some(body) = self.reader.take() {
                    close_body(&body, true);
                }
                return Poll::Ready(Err(status));
            }
        };
        Poll::Ready(match kind {
            BYTES => Ok(Some(value.unchecked_into())),
            END => {
                if let Some(body) = self.reader.take() {
                    close_body(&body, false);
                }
                self.abort.disarm();
                Ok(None)
            }
            FAILED => {
                self.reader = None;
                Err(self.abort.failure(&value, |e| {
                    Status::new(
                        Code::Unavailable,
                        detail!(
                            "reading the response body failed",
                            "reading the response body failed: {}",
                            super::describe(e)
                        ),
                    )
                }))
            }
            _ => Err(Status::new(
                Code::Internal,
                detail!(
                    "response body yielded a non-byte chunk",
                    "response body yielded a non-byte chunk: {}",
                    super::describe(&value)
                ),
            )),
        })
    }
}

impl Drop for BodyReader {
    fn drop(&mut self) {
        if let Some(body) = self.reader.take() {
            // Fire and forget: the promise settles after we are gone; the abort that follows
            // (Abort's drop) stops the network side.
            close_body(&body, true);
        }
    }
}
