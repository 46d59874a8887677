//! gzip by the browser's own codec (`CompressionStream` / `DecompressionStream`), for
//! builds with feature `browser-gzip` and without `gzip`: no inflate or deflate code in the
//! wasm. Both are asynchronous, so the pure core hands compressed reply frames up
//! ([`Compressed`]) and `RawStream` awaits an [`Inflating`] in their place; requests are
//! compressed here before the core frames them ([`request_body`]).

use std::task::{Context, Poll};

use bytes::Bytes;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::settle::{Pending, Settle, FULFILLED};
use crate::protocol::body::Compressed;
use crate::protocol::compression::{self, Compression};
use crate::protocol::request::{self, Body, Wire};
use crate::protocol::status::{Code, Status};

// A few lines of JS instead of web-sys bindings for the streams: far fewer bytes of glue.
// The input is copied at once (`slice`, `Blob`): it is a view of wasm memory, which may move.
#[wasm_bindgen(inline_js = "
export function gzip(data, format, settle, id) {
    try {
        new Response(new Blob([data]).stream().pipeThrough(new CompressionStream(format)))
            .arrayBuffer().then((b) => settle(id, 1, new Uint8Array(b)), (e) => settle(id, 3, e));
    } catch (e) {
        settle(id, 3, e);
    }
}
export async function gunzip(data, format, limit, settle, id) {
    try {
        const ds = new DecompressionStream(format), r = ds.readable.getReader(), w = ds.writable.getWriter();
        const input = data.slice(), step = Math.max(64, Math.ceil(limit / 1024)), parts = [];
        (async () => {
            for (let at = 0; at < input.length; at += step) await w.write(input.subarray(at, at + step));
            await w.close();
        })().catch(() => {});
        let n = 0;
        for (let c; !(c = await r.read()).done; parts.push(c.value)) {
            if ((n += c.value.length) > limit) {
                r.cancel().catch(() => {});
                return settle(id, 2, null);
            }
        }
        const out = new Uint8Array(n);
        n = 0;
        for (const p of parts) out.set(p, (n += p.length) - p.length);
        settle(id, 1, out);
    } catch (e) {
        settle(id, 3, e);
    }
}")]
extern "C" {
    /// Compresses `data` in `format` ("gzip"), settled into `settle(id, kind, value)`: kind
    /// 1 with the compressed `Uint8Array`, 3 with the error.
    fn gzip(data: &[u8], format: &str, settle: &Settle, id: f64);
    /// Inflates `data`, settled as kind 1 with the bytes, 2 once the output passed `limit`
    /// (the stream is cancelled there), or 3 with the error (not valid gzip). The output is
    /// read as it comes and the input fed in slices, each fed only once the output so far
    /// is read: a slice of `limit / 1024` bytes inflates to about `limit` at most (deflate's
    /// best ratio is 1032:1), so a compression bomb costs about twice the limit, never all
    /// of what it would inflate to.
    fn gunzip(data: &[u8], format: &str, limit: usize, settle: &Settle, id: f64);
}

/// `kind` of an inflation stopped at the limit.
const TOO_LARGE: u32 = 2;

/// A compressed reply frame being inflated by the browser.
pub(crate) struct Inflating {
    pending: Pending,
    what: &'static str,
    limit: usize,
}

impl Inflating {
    /// Starts inflating `frame`.
    pub(crate) fn start(frame: Compressed) -> Inflating {
        let mut pending = Pending::default();
        let format = frame.scheme.as_str();
        pending.start(|settle, id| gunzip(&frame.payload, format, frame.limit, settle, id));
        Inflating {
            pending,
            what: frame.what(),
            limit: frame.limit,
        }
    }

    /// The inflated bytes, or why there are none: `RESOURCE_EXHAUSTED` past the limit,
    /// `INTERNAL` for data that is not gzip (the same texts as the `gzip` feature's).
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Result<Bytes, Status>> {
        self.pending.poll(cx).map(|(kind, value)| match kind {
            FULFILLED => match value.dyn_into::<js_sys::Uint8Array>() {
                Ok(bytes) => Ok(Bytes::from(bytes.to_vec())),
                Err(v) => Err(compression::corrupt(self.what, super::describe(&v))),
            },
            TOO_LARGE => Err(compression::too_large(self.what, self.limit)),
            _ => Err(compression::corrupt(self.what, super::describe(&value))),
        })
    }
}

/// The request body for `message`, compressed by the browser if `wire` says so.
pub(crate) async fn request_body(wire: &Wire, message: &[u8], max: usize) -> Result<Body, Status> {
    let Some(scheme) = wire.send_compression else {
        return request::body(wire, message, max);
    };
    request::check_size(message.len(), max)?;
    let packed = compress(scheme, message).await?;
    request::framed(wire, &packed, true)
}

async fn compress(scheme: Compression, message: &[u8]) -> Result<Vec<u8>, Status> {
    let mut pending = Pending::default();
    pending.start(|settle, id| gzip(message, scheme.as_str(), settle, id));
    let (kind, value) = std::future::poll_fn(|cx| pending.poll(cx)).await;
    match value.dyn_into::<js_sys::Uint8Array>() {
        Ok(bytes) if kind == FULFILLED => Ok(bytes.to_vec()),
        Ok(bytes) => Err(compress_failed(scheme, &bytes)),
        Err(e) => Err(compress_failed(scheme, &e)),
    }
}

fn compress_failed(scheme: Compression, why: &JsValue) -> Status {
    Status::new(
        Code::Internal,
        format!(
            "failed to compress a {} request message: {}",
            scheme.as_str(),
            super::describe(why)
        ),
    )
}
