//! The browser edge: one `fetch` per call, its body read as a stream. Only bytes and
//! signals cross this boundary; every protocol decision is made in [`crate::protocol`].
//!
//! Dropping a [`Reply`] (or the future awaiting [`send`]) aborts the request, so a call
//! that is abandoned or fails halfway never keeps a download running; deadlines and the
//! caller's `AbortSignal` abort it too ([`Abort`]).

mod abort;
mod body;
#[cfg(all(feature = "browser-gzip", not(feature = "gzip")))]
mod gzip;
mod settle;
mod socket;
mod text;

use std::task::Poll;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::protocol::detail::detail;
use crate::protocol::metadata::MetadataMap;
use crate::protocol::request::Body;
use crate::protocol::status::{Code, Status};

pub(crate) use abort::{abort_end, abort_follow, arm, Abort, JsAbort, MAX_TIMER_MS};
pub(crate) use body::BodyReader;
pub(crate) use settle::Pending;
pub(crate) use socket::Socket;
pub(crate) use text::push_chunk;

#[cfg(all(feature = "browser-gzip", not(feature = "gzip")))]
pub(crate) use gzip::{request_body, Inflating};

/// The request body for `message` ([`request::body`](crate::protocol::request::body)):
/// compressed by the pure core's codec, if this build has one, else by the browser's.
#[cfg(not(all(feature = "browser-gzip", not(feature = "gzip"))))]
pub(crate) async fn request_body(
    wire: &crate::protocol::request::Wire,
    message: &[u8],
    max: usize,
) -> Result<Body, Status> {
    crate::protocol::request::body(wire, message, max)
}

#[wasm_bindgen(module = "/src/transport/fetch.js")]
extern "C" {
    /// POSTs `body` with `headers` (given as `name\nvalue\n` lines) through the global
    /// `fetch` (windows and workers alike), settled into `settle` (see [`settle`]) with
    /// kind [`REFUSED`] if the URL is malformed. One call for the whole request, and
    /// `fetch(url, init)` rather than `fetch(new Request(..))`: in Chromium a `Request`
    /// object made the call's `fetch` about a quarter dearer. The URL is checked once per
    /// distinct URL (a parse costs about 3 µs), and the headers go as `[name, value]` pairs,
    /// which `fetch` reads faster than a `Headers` object; no `Headers` is needed to check
    /// them, since metadata is held to a subset of what `fetch` accepts before it gets here.
    /// Calls with the same headers as the last share its pairs (`fetch` only reads them),
    /// so a run of like calls makes no garbage for them.
    /// `body` is a view of wasm memory; `fetch` copies it before returning. A page may have
    /// replaced `fetch`: `Promise.resolve` settles once whatever it returned (a native
    /// promise passes through as it is), and only a `Response` counts as one. (Said here,
    /// not in `fetch.js`: every byte of that file is shipped to every page.)
    fn fetch_into(
        url: &str,
        headers: &str,
        body: &[u8],
        credentials: &str,
        abort: &abort::JsAbort,
        settle: &settle::Settle,
        id: f64,
    );
    /// Every readable response header as `name\nvalue\n` lines, in one call (header names
    /// and values never contain a line feed), instead of a round trip per entry.
    fn header_lines(response: &web_sys::Response) -> String;
}

/// `kind` of a request refused before it was sent (a malformed URL or header): the caller's
/// mistake, not the network's.
const REFUSED: u32 = 4;

/// The head of a reply, and its body still to be read.
pub(crate) struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// Every header the browser lets the page read (CORS exposes only some).
    pub headers: MetadataMap,
    /// The body stream.
    pub body: BodyReader,
}

/// POSTs `body` to `url` with the headers `lines` and returns once the reply's head has arrived.
///
/// `lines` are `name\nvalue\n` lines ([`header_line`]). `abort` goes with the body: it
/// aborts the request if the reply is dropped early. A rejected fetch (no server, a network
/// failure, or a CORS refusal, which browsers do not tell apart) is `UNAVAILABLE`, unless
/// the deadline or the caller's signal fired. `credentials` is `fetch`'s option as sent,
/// empty for the browser's default.
pub(crate) async fn send(
    url: &str,
    lines: &str,
    body: &Body,
    credentials: &str,
    abort: Abort,
) -> Result<Reply, Status> {
    let bytes = match body {
        Body::Binary(bytes) => bytes.as_slice(),
        Body::Text(text) => text.as_bytes(),
    };
    let mut fetch = settle::Pending::default();
    fetch.start(|settle, id| fetch_into(url, lines, bytes, credentials, abort.js(), settle, id));
    // The abort settles the wait too, so a `fetch` that ignores its signal cannot hang a call.
    let settled = std::future::poll_fn(|cx| match fetch.poll(cx) {
        Poll::Ready(outcome) => Poll::Ready(Ok(outcome)),
        Poll::Pending => abort.poll_fired(cx).map(Err),
    })
    .await?;
    let response: web_sys::Response = match settled {
        (settle::FULFILLED, r) => r.unchecked_into(),
        (REFUSED, e) => {
            return Err(Status::new(
                Code::Internal,
                detail!("invalid request", "invalid request to {url}: {}", describe(&e)),
            ))
        }
        (_, e) => {
            return Err(abort.failure(&e, |e| {
                Status::new(
                    Code::Unavailable,
                    detail!(
                        "fetch failed",
                        "fetch {url} failed: {} (server unreachable, network error, or the server's CORS policy does not admit origin {})",
                        describe(e),
                        page_origin().as_deref().unwrap_or("of this page")
                    ),
                )
            }))
        }
    };

    let mut metadata = MetadataMap::new();
    let lines = header_lines(&response);
    let mut lines = crate::protocol::ascii::split(&lines, b'\n');
    while let (Some(k), Some(v)) = (lines.next(), lines.next()) {
        metadata.push_received(k, v);
    }
    Ok(Reply {
        status: response.status(),
        headers: metadata,
        body: BodyReader::new(response.body(), abort),
    })
}

/// Appends one header to `lines`, as [`send`] takes them. Names and values are checked
/// (printable ASCII) before they get here, so neither holds a line feed.
pub(crate) fn header_line(lines: &mut String, name: &str, value: &str) {
    debug_assert!(!name.contains('\n') && !value.contains('\n'));
    // Pushed one by one: a loop over `[name, value]` links an array iterator for it.
    lines.push_str(name);
    lines.push('\n');
    lines.push_str(value);
    lines.push('\n');
}

/// A readable description of a thrown JS value.
pub(crate) fn describe(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        format!(
            "{}: {}",
            String::from(err.name()),
            String::from(err.message())
        )
    } else {
        e.as_string()
            .or_else(|| js_to_string(e).ok())
            .unwrap_or_else(|| "a value that cannot be shown".into())
    }
}

#[wasm_bindgen]
extern "C" {
    /// The global `String(value)`: JS's own rendering, far smaller to link than the
    /// `Debug` impl of `JsValue`.
    #[wasm_bindgen(js_name = String, catch)]
    fn js_to_string(value: &JsValue) -> Result<String, JsValue>;
}

/// `location.origin` of the page or worker, to make CORS failures easy to diagnose.
pub(crate) fn page_origin() -> Option<String> {
    let location = js_sys::Reflect::get(&js_sys::global(), &"location".into()).ok()?;
    js_sys::Reflect::get(&location, &"origin".into())
        .ok()?
        .as_string()
}
