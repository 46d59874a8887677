//! How `GrpcWebClient`'s stream messages cross into JavaScript: a batch at a time, as one
//! copy of the bytes the reply's complete frames span, which JavaScript cuts into views.
//! Per message only its bounds cross, so a stream of many small messages costs one copy and
//! one crossing per chunk the network delivered, and no `Bytes` or `Uint8Array` of its own.

use bytes::Bytes;
use js_sys::{Array, Object, Uint32Array, Uint8Array};
use wasm_bindgen::JsValue;

use super::interop::set;

/// Messages drained from the reply at once (see
/// [`ReplyDecoder::drain_messages`](crate::protocol::reply::ReplyDecoder::drain_messages)):
/// `{ bytes, bounds }`, the bytes they span (frame headers included) copied out of wasm
/// memory once, and `[start0, end0, start1, end1, ..]`.
pub(super) fn drained(bytes: &[u8], bounds: &[u32]) -> JsValue {
    let batch = Object::new();
    set(&batch, "bytes", &Uint8Array::from(bytes).into());
    set(&batch, "bounds", &Uint32Array::from(bounds).into());
    batch.into()
}

/// A message that came alone (an inflated one): an `Array` of its one `Uint8Array`.
pub(super) fn one(message: &Bytes) -> JsValue {
    Array::of1(&Uint8Array::from(&message[..])).into()
}
