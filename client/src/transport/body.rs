//! Reading a response body chunk by chunk through its `ReadableStream` reader.

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStream, ReadableStreamDefaultReader};

use super::{describe, AbortOnDrop};
use crate::protocol::status::{Code, Status};

/// A response body as a sequence of chunks. Dropping it before the end cancels the stream
/// and aborts the request.
pub struct BodyReader {
    reader: Option<ReadableStreamDefaultReader>,
    abort: AbortOnDrop,
}

impl BodyReader {
    pub(crate) fn new(stream: Option<ReadableStream>, abort: AbortOnDrop) -> BodyReader {
        let reader = stream.map(|s| s.get_reader().unchecked_into());
        BodyReader { reader, abort }
    }

    /// The next chunk, `None` at the end. A failed read (the connection dropped, the request
    /// was aborted) is `UNAVAILABLE`.
    pub async fn next_chunk(&mut self) -> Result<Option<Uint8Array>, Status> {
        let Some(reader) = &self.reader else {
            return Ok(None);
        };
        let result = JsFuture::from(reader.read()).await.map_err(|e| {
            Status::new(
                Code::Unavailable,
                format!("reading the response body failed: {}", describe(&e)),
            )
        })?;
        let done = js_sys::Reflect::get(&result, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            self.reader = None;
            self.abort.disarm();
            return Ok(None);
        }
        let value = js_sys::Reflect::get(&result, &"value".into()).unwrap_or_default();
        value.dyn_into::<Uint8Array>().map(Some).map_err(|v| {
            Status::new(
                Code::Internal,
                format!("response body yielded a non-byte chunk: {v:?}"),
            )
        })
    }
}

impl Drop for BodyReader {
    fn drop(&mut self) {
        if let Some(reader) = self.reader.take() {
            // Fire and forget: the promise settles after we are gone; the abort that follows
            // (AbortOnDrop) stops the network side.
            let _ = reader.cancel();
        }
    }
}
