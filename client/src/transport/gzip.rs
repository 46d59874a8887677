//! gzip by the browser's own codec (`CompressionStream` / `DecompressionStream`), for
//! builds with feature `browser-gzip` and without `gzip`: no inflate or deflate code in the
//! wasm. Both are asynchronous, so the pure core hands compressed reply frames up
//! ([`Compressed`]) and `RawStream` awaits an [`Inflating`] in their place; requests are
//! compressed here before the core frames them ([`request_body`]).

use std::task::{Context, Poll};

use bytes::Bytes;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::settle::{Pending, Settle, FULFILLED};
use crate::protocol::body::Compressed;
use crate::protocol::compression::{self, Compression};
use crate::protocol::request::{self, Body, Wire};
use crate::protocol::status::Status;

// A few lines of JS instead of web-sys bindings for the streams: far fewer bytes of glue,
// and one function both ways. The input is copied at once (`slice`): it is a view of wasm
// memory, which may move.
#[wasm_bindgen(inline_js = "
export async function gz(data, limit, settle, id) {
    try {
        const s = limit < 0 ? new CompressionStream('gzip') : new DecompressionStream('gzip');
        const r = s.readable.getReader(), w = s.writable.getWriter(), input = data.slice(), parts = [];
        const step = limit < 0 ? input.length : Math.max(64, Math.ceil(limit / 1024));
        (async () => {
            for (let at = 0; at < input.length; at += step) await w.write(input.subarray(at, at + step));
            await w.close();
        })().catch(() => {});
        let n = 0;
        for (let c; !(c = await r.read()).done; parts.push(c.value)) {
            if ((n += c.value.length) > limit && limit >= 0) return r.cancel().catch(() => {}), settle(id, 2);
        }
        const out = new Uint8Array(n);
        n = 0;
        for (const p of parts) out.set(p, n), (n += p.length);
        settle(id, 1, out);
    } catch (e) {
        settle(id, 3, e);
    }
}")]
extern "C" {
    /// Compresses `data` with gzip if `limit` is negative, else inflates it,
    /// settled into `settle(id, kind, value)`: kind 1 with the bytes (a `Uint8Array`), 2
    /// once the inflated output passed `limit` (the stream is cancelled there), 3 with the
    /// error (not valid gzip). The output is read as it comes and the input fed in slices,
    /// each only once the output so far is read: a slice of `limit / 1024` bytes inflates
    /// to about `limit` at most (deflate's best ratio is 1032:1), so a compression bomb
    /// costs about twice the limit, never all of what it would inflate to.
    fn gz(data: &[u8], limit: f64, settle: &Settle, id: f64);
}

/// `kind` of an inflation stopped at the limit.
const TOO_LARGE: u32 = 2;

/// A message or trailer block being compressed or inflated by the browser.
pub(crate) struct Inflating {
    pending: Pending,
    what: &'static str,
    /// The inflation limit; `None` when compressing.
    limit: Option<usize>,
}

impl Inflating {
    /// `scheme` is gzip, the one there is: the JS side names it.
    fn start(data: &[u8], scheme: Compression, limit: Option<usize>, what: &'static str) -> Self {
        let Compression::Gzip = scheme;
        let mut pending = Pending::default();
        let js_limit = limit.map_or(-1.0, |l| l as f64);
        pending.start(|settle, id| gz(data, js_limit, settle, id));
        Inflating {
            pending,
            what,
            limit,
        }
    }

    /// Starts inflating `frame`.
    pub(crate) fn inflate(frame: Compressed) -> Inflating {
        Inflating::start(
            &frame.payload,
            frame.scheme,
            Some(frame.limit),
            frame.what(),
        )
    }

    /// The bytes, or why there are none: `RESOURCE_EXHAUSTED` past the limit, `INTERNAL`
    /// for data that is not gzip (the same texts as the `gzip` feature's).
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Result<Bytes, Status>> {
        self.pending
            .poll(cx)
            .map(|(kind, value)| match (kind, self.limit) {
                (FULFILLED, _) => Ok(Bytes::from(value.unchecked_into::<Uint8Array>().to_vec())),
                (TOO_LARGE, Some(limit)) => Err(compression::too_large(self.what, limit)),
                (_, limit) => {
                    let action = if limit.is_some() {
                        "decompress"
                    } else {
                        "compress"
                    };
                    Err(compression::failed(
                        action,
                        self.what,
                        super::describe(&value),
                    ))
                }
            })
    }
}

/// The request body for `message`, compressed by the browser if `wire` says so.
pub(crate) async fn request_body(wire: &Wire, message: &[u8], max: usize) -> Result<Body, Status> {
    let Some(scheme) = wire.send_compression else {
        return request::body(wire, message, max);
    };
    request::check_size(message.len(), max)?;
    let mut compressing = Inflating::start(message, scheme, None, "request message");
    let packed = std::future::poll_fn(|cx| compressing.poll(cx)).await?;
    request::framed(wire, &packed, true)
}
