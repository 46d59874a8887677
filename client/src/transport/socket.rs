//! The WebSocket edge, for client-streaming and bidirectional calls: one socket per call,
//! its events queued for the call's reader, its sends held back while the browser's buffer
//! is full (a WebSocket has no backpressure of its own). Only bytes and events cross here;
//! the wire format is [`crate::protocol::websocket`].

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::abort::Abort;
use super::settle::{Pending, Settle};
use crate::protocol::status::{Code, Status};

#[wasm_bindgen(inline_js = "
export function ws_open(url, protocol, handler) {
    const ws = new WebSocket(url, protocol);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => handler(0, undefined, 0);
    ws.onmessage = (e) => handler(1, e.data instanceof ArrayBuffer ? new Uint8Array(e.data) : undefined, 0);
    ws.onclose = (e) => handler(2, e.reason, e.code);
    return ws;
}
export function ws_send(ws, bytes) {
    try {
        ws.send(bytes);
        return true;
    } catch (_) {
        return false;
    }
}
export function ws_buffered(ws) {
    return ws.bufferedAmount;
}
export function ws_close(ws) {
    ws.onopen = ws.onmessage = ws.onclose = null;
    try {
        ws.close(1000);
    } catch (_) {}
}
export function ws_wake_later(settle, id, ms) {
    setTimeout(settle, ms, id, 1);
}")]
extern "C" {
    type JsSocket;
    /// Opens a socket whose events go to `handler(kind, value, code)`: 0 open, 1 a binary
    /// message (a `Uint8Array`, or `undefined` for a text message), 2 closed (reason, code).
    #[wasm_bindgen(catch)]
    fn ws_open(
        url: &str,
        protocol: &str,
        handler: &Closure<dyn FnMut(u32, JsValue, u32)>,
    ) -> Result<JsSocket, JsValue>;
    /// Sends `bytes` (copied before it returns); `false` if the socket is not open.
    fn ws_send(ws: &JsSocket, bytes: &[u8]) -> bool;
    fn ws_buffered(ws: &JsSocket) -> f64;
    /// Closes normally, after detaching the handlers.
    fn ws_close(ws: &JsSocket);
    /// Settles `settle(id, 1)` after `ms`.
    fn ws_wake_later(settle: &Settle, id: f64, ms: u32);
}

/// Bytes the browser may buffer for a socket before a sender waits: enough to keep a
/// link busy, little enough that a fast producer cannot grow memory.
const HIGH_WATER: f64 = 1024.0 * 1024.0;

#[derive(Default)]
struct Shared {
    opened: bool,
    /// Kept as JS handles: copied once, straight into the reply's frame buffer.
    messages: VecDeque<Uint8Array>,
    closed: Option<(u16, String)>,
    /// A failure found on the sending side (a message over the limit, a failed stream).
    failed: Option<Status>,
    reader: Option<Waker>,
    writer: Option<Waker>,
}

impl Shared {
    fn wake(&mut self) {
        for waker in [self.reader.take(), self.writer.take()]
            .into_iter()
            .flatten()
        {
            waker.wake();
        }
    }
}

/// One call's socket. Dropping it closes the socket, which cancels the call on the server.
pub(crate) struct Socket {
    ws: JsSocket,
    shared: Rc<RefCell<Shared>>,
    _handler: Closure<dyn FnMut(u32, JsValue, u32)>,
    /// The timer a sender waiting for the buffer to drain wakes on.
    later: RefCell<Pending>,
    abort: Abort,
    url: String,
}

impl Socket {
    /// Opens a socket to `url` (an `http(s)://` method URL, turned into `ws(s)://`).
    pub(crate) fn open(url: &str, abort: Abort) -> Result<Socket, Status> {
        let ws_url = match url.split_once("://") {
            Some(("https", rest)) => format!("wss://{rest}"),
            Some(("http", rest)) => format!("ws://{rest}"),
            _ => {
                return Err(Status::new(
                    Code::Internal,
                    format!("a WebSocket needs an http:// or https:// base URL, not {url}"),
                ))
            }
        };
        let shared = Rc::new(RefCell::new(Shared::default()));
        let events = shared.clone();
        let handler = Closure::new(move |kind: u32, value: JsValue, code: u32| {
            let mut s = events.borrow_mut();
            match kind {
                0 => s.opened = true,
                1 => match value.dyn_into::<Uint8Array>() {
                    Ok(bytes) => s.messages.push_back(bytes),
                    Err(_) => {
                        s.failed.get_or_insert_with(|| {
                            Status::new(
                                Code::Internal,
                                "the server sent a text WebSocket message; grpc-websockets replies are binary",
                            )
                        });
                    }
                },
                _ => {
                    let reason = value.as_string().unwrap_or_default();
                    s.closed = Some((u16::try_from(code).unwrap_or(0), reason));
                }
            }
            s.wake();
        });
        let ws = ws_open(&ws_url, crate::protocol::websocket::PROTOCOL, &handler).map_err(|e| {
            Status::new(
                Code::Internal,
                format!("invalid WebSocket URL {ws_url}: {}", super::describe(&e)),
            )
        })?;
        Ok(Socket {
            ws,
            shared,
            _handler: handler,
            later: RefCell::default(),
            abort,
            url: ws_url,
        })
    }

    /// The next message from the server; `None` after a normal close.
    pub(crate) fn poll_message(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Uint8Array>, Status>> {
        let mut s = self.shared.borrow_mut();
        if let Some(status) = s.failed.take() {
            drop(s);
            ws_close(&self.ws);
            return Poll::Ready(Err(status));
        }
        if let Some(message) = s.messages.pop_front() {
            return Poll::Ready(Ok(Some(message)));
        }
        if let Some((code, reason)) = &s.closed {
            return Poll::Ready(match code {
                1000 => Ok(None),
                _ => Err(self.closed_status(s.opened, *code, reason)),
            });
        }
        s.reader = Some(cx.waker().clone());
        drop(s);
        self.poll_abort(cx).map(Err)
    }

    /// Ready to send another message: open, and the browser's buffer below the mark.
    pub(crate) fn poll_writable(&self, cx: &mut Context<'_>) -> Poll<Result<(), Status>> {
        let mut s = self.shared.borrow_mut();
        if let Some((code, reason)) = &s.closed {
            return Poll::Ready(Err(self.closed_status(s.opened, *code, reason)));
        }
        if s.opened && ws_buffered(&self.ws) <= HIGH_WATER {
            return Poll::Ready(Ok(()));
        }
        s.writer = Some(cx.waker().clone());
        if s.opened {
            // The buffer drains without an event: look again shortly, on one timer at a
            // time (a slot, not a closure per wait).
            let mut later = self.later.borrow_mut();
            if !later.is_out() {
                later.start(|settle, id| ws_wake_later(settle, id, 5));
            }
            if later.poll(cx).is_ready() {
                cx.waker().wake_by_ref();
            }
        }
        drop(s);
        self.poll_abort(cx).map(Err)
    }

    /// Sends one message (the caller waited for [`poll_writable`](Self::poll_writable)).
    pub(crate) fn send(&self, bytes: &[u8]) -> Result<(), Status> {
        if ws_send(&self.ws, bytes) {
            Ok(())
        } else {
            Err(Status::new(
                Code::Unavailable,
                format!("the WebSocket to {} is closed", self.url),
            ))
        }
    }

    /// Ends the call from the sending side with `status`.
    pub(crate) fn fail(&self, status: Status) {
        let mut s = self.shared.borrow_mut();
        s.failed.get_or_insert(status);
        s.wake();
    }

    fn poll_abort(&self, cx: &mut Context<'_>) -> Poll<Status> {
        let status = std::task::ready!(self.abort.poll_fired(cx));
        ws_close(&self.ws);
        Poll::Ready(status)
    }

    fn closed_status(&self, opened: bool, code: u16, reason: &str) -> Status {
        let why = if reason.is_empty() {
            String::new()
        } else {
            format!(", reason {}", crate::protocol::quoted::Quoted(reason))
        };
        if opened {
            Status::new(
                Code::Unavailable,
                format!(
                    "the WebSocket to {} closed before the call ended (code {code}{why})",
                    self.url
                ),
            )
        } else {
            Status::new(
                Code::Unavailable,
                format!(
                    "could not open a WebSocket to {}: the server is unreachable, refused the \
                     upgrade (does it admit origin {}?), or does not speak grpc-websockets \
                     (code {code}{why})",
                    self.url,
                    super::page_origin().as_deref().unwrap_or("of this page")
                ),
            )
        }
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        ws_close(&self.ws);
        // A sender waiting for room learns the socket is gone.
        let mut s = self.shared.borrow_mut();
        s.closed.get_or_insert((1000, String::new()));
        s.wake();
    }
}
