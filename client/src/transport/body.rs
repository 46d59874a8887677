//! Reading a response body chunk by chunk through its `ReadableStream` reader.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStream, ReadableStreamDefaultReader};

use super::abort::Abort;
use crate::protocol::status::{Code, Status};

#[wasm_bindgen]
extern "C" {
    /// What `reader.read()` resolves to. Typed getters read it without building the
    /// property names as JS strings on every chunk, as `Reflect::get` would.
    type ReadResult;
    #[wasm_bindgen(method, getter)]
    fn done(this: &ReadResult) -> bool;
    #[wasm_bindgen(method, getter)]
    fn value(this: &ReadResult) -> JsValue;
}

/// A response body as a sequence of chunks. Dropping it before the end cancels the stream
/// and aborts the request.
pub struct BodyReader {
    reader: Option<ReadableStreamDefaultReader>,
    pending: Option<JsFuture>,
    abort: Abort,
}

impl BodyReader {
    pub(crate) fn new(stream: Option<ReadableStream>, abort: Abort) -> BodyReader {
        let reader = stream.map(|s| s.get_reader().unchecked_into());
        BodyReader {
            reader,
            pending: None,
            abort,
        }
    }

    /// The next chunk, `None` at the end. A failed read is `UNAVAILABLE` (the connection
    /// dropped), `DEADLINE_EXCEEDED` or `CANCELLED` (the call was aborted).
    pub fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Uint8Array>, Status>> {
        let Some(reader) = &self.reader else {
            return Poll::Ready(Ok(None));
        };
        let read = self
            .pending
            .get_or_insert_with(|| JsFuture::from(reader.read()));
        let result = ready!(Pin::new(read).poll(cx));
        self.pending = None;
        let result = match result {
            Ok(r) => r,
            Err(e) => {
                self.reader = None;
                return Poll::Ready(Err(self.abort.failure(&e, |why| {
                    Status::new(
                        Code::Unavailable,
                        format!("reading the response body failed: {why}"),
                    )
                })));
            }
        };
        let result: ReadResult = result.unchecked_into();
        if result.done() {
            self.reader = None;
            self.abort.disarm();
            return Poll::Ready(Ok(None));
        }
        Poll::Ready(
            result
                .value()
                .dyn_into::<Uint8Array>()
                .map(Some)
                .map_err(|v| {
                    Status::new(
                        Code::Internal,
                        format!(
                            "response body yielded a non-byte chunk: {}",
                            super::describe(&v)
                        ),
                    )
                }),
        )
    }

    /// [`poll_chunk`](Self::poll_chunk) as a future.
    pub async fn next_chunk(&mut self) -> Result<Option<Uint8Array>, Status> {
        std::future::poll_fn(|cx| self.poll_chunk(cx)).await
    }
}

impl Drop for BodyReader {
    fn drop(&mut self) {
        if let Some(reader) = self.reader.take() {
            // Fire and forget: the promise settles after we are gone; the abort that follows
            // (Abort's drop) stops the network side.
            let _ = reader.cancel();
        }
    }
}
