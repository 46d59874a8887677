//! Text mode's base64, decoded by the browser where it can: `Uint8Array.prototype.
//! setFromBase64` is native code that writes straight into wasm memory, where decoding in
//! wasm first needs the characters copied in. The Rust decoder takes whatever the browser
//! declines (older browsers, a quantum split across chunks, any error, which it names).

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use crate::protocol::reply::ReplyDecoder;

#[wasm_bindgen(inline_js = "
const native = typeof Uint8Array.prototype.setFromBase64 === 'function';
const latin1 = native ? new TextDecoder('latin1') : null;
export function decode_base64_into(chunk, memory, ptr, cap) {
    if (!native || chunk.length >= 67108864) return -1;
    try {
        const text = latin1.decode(chunk);
        const out = new Uint8Array(memory.buffer, ptr, cap);
        let read = 0;
        let written = 0;
        // A server may encode each flush on its own, so padding can end a segment
        // mid-chunk; setFromBase64 wants it only at the end of its input.
        while (read < text.length) {
            let end = text.indexOf('=', read);
            const last = end < 0;
            if (last) end = text.length;
            else end += text.charCodeAt(end + 1) === 61 ? 2 : 1;
            const segment = read === 0 && last ? text : text.slice(read, end);
            const r = out.subarray(written).setFromBase64(segment, {
                lastChunkHandling: last ? 'stop-before-partial' : 'loose',
            });
            read += r.read;
            written += r.written;
            if (last || r.read < segment.length) break;
        }
        return read * 67108864 + written;
    } catch (_) {
        return -1;
    }
}")]
extern "C" {
    /// Decodes the base64 in `chunk` into wasm memory at `ptr` (room for `cap` bytes), up
    /// to a partial quantum at its end: `read * 2^26 + written`, or -1 where the browser has
    /// no decoder, the chunk is 64 MiB or more, or the input is not plain base64.
    fn decode_base64_into(chunk: &Uint8Array, memory: &JsValue, ptr: usize, cap: usize) -> f64;
}

const SPLIT: f64 = 67_108_864.0;

/// Hands a body chunk to `decoder`: in text mode the browser decodes what it can in place,
/// and the rest is copied in (once) for the Rust decoder.
pub(crate) fn push_chunk(decoder: &mut ReplyDecoder, chunk: &Uint8Array) {
    let whole = chunk.length() as usize;
    // A quantum split across chunks is ended by the Rust decoder, with its few characters,
    // so that the browser can take the rest of this chunk from a boundary.
    let lead = decoder.text_lead().min(whole);
    let tail;
    let chunk = if lead == 0 {
        chunk
    } else {
        decoder.push_with(lead, |dst| {
            chunk.subarray(0, lead as u32).copy_to_uninit(dst)
        });
        tail = chunk.subarray(lead as u32, whole as u32);
        &tail
    };
    let len = whole - lead;
    let read = decoder.push_text_with(len, |out| {
        let r = decode_base64_into(
            chunk,
            &wasm_bindgen::memory(),
            out.as_mut_ptr() as usize,
            out.len(),
        );
        // Both halves are below 2^26, so the whole is an exact integer in an f64.
        (r >= 0.0).then(|| ((r / SPLIT) as usize, (r % SPLIT) as usize))
    });
    if read == len {
        return;
    }
    // Binary mode, or the browser declined: the chunk as it is, with no new JS handle.
    let rest;
    let src = if read == 0 {
        chunk
    } else {
        rest = chunk.subarray(read as u32, len as u32);
        &rest
    };
    decoder.push_with(len - read, |dst| src.copy_to_uninit(dst))
}
