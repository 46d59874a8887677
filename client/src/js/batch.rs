//! How `GrpcWebClient`'s stream messages cross into JavaScript: a batch at a time, small
//! messages packed into one buffer, so a stream of many small messages costs one copy and one
//! crossing per batch rather than per message.

use bytes::Bytes;
use js_sys::{Array, Object, Uint32Array, Uint8Array};
use wasm_bindgen::JsValue;

use super::interop::set;

/// Messages at most this large on average go packed into one buffer, which JavaScript yields
/// as views; larger ones go as one `Uint8Array` each (its own buffer), copied once.
const PACK_MAX: usize = 4096;

/// Small messages packed into one `Uint8Array` with their ends (one copy out of wasm memory
/// for the batch); large ones, or a batch of one, as an `Array` of `Uint8Array`s, so no
/// message is copied twice.
pub(super) fn bytes_batch(messages: &[Bytes]) -> JsValue {
    let total: usize = messages.iter().map(Bytes::len).sum();
    let packable = messages.len() > 1
        && total <= PACK_MAX.saturating_mul(messages.len())
        && u32::try_from(total).is_ok();
    if !packable {
        return messages
            .iter()
            .map(|m| JsValue::from(Uint8Array::from(&m[..])))
            .collect::<Array>()
            .into();
    }
    let mut packed = Vec::with_capacity(total);
    let mut ends = Vec::with_capacity(messages.len());
    for m in messages {
        packed.extend_from_slice(m);
        ends.push(packed.len() as u32);
    }
    let batch = Object::new();
    set(&batch, "bytes", &Uint8Array::from(&packed[..]).into());
    set(&batch, "ends", &Uint32Array::from(&ends[..]).into());
    batch.into()
}
