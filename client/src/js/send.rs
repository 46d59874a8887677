//! The sending side of client-streaming and bidi calls from JavaScript: `send()` queues a
//! serialized message, `close()` half-closes, and the call's socket takes them in order.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_core::Stream;
use wasm_bindgen::prelude::*;
use web_sys::AbortController;

use super::interop;
use crate::protocol::status::Status;

#[derive(Default)]
struct Outbox {
    messages: VecDeque<Bytes>,
    closed: bool,
    waker: Option<Waker>,
}

/// The messages `send()` queued, as the request stream of a call.
pub struct OutboxStream(Rc<RefCell<Outbox>>);

impl Stream for OutboxStream {
    type Item = Result<Bytes, Status>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut outbox = self.0.borrow_mut();
        match outbox.messages.pop_front() {
            Some(message) => Poll::Ready(Some(Ok(message))),
            None if outbox.closed => Poll::Ready(None),
            None => {
                outbox.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// How a value given to `send()` becomes a serialized message.
pub type Encode = Rc<dyn Fn(&JsValue) -> Result<Bytes, Status>>;

/// The JavaScript handle that feeds an [`OutboxStream`].
#[wasm_bindgen(skip_typescript)]
pub struct RawSender {
    outbox: Rc<RefCell<Outbox>>,
    abort: Option<AbortController>,
    encode: Encode,
}

/// A sender and the stream it feeds; `abort`, if given, is what `cancel()` aborts.
pub fn outbox(abort: Option<AbortController>, encode: Encode) -> (RawSender, OutboxStream) {
    let outbox = Rc::new(RefCell::new(Outbox::default()));
    (
        RawSender {
            outbox: outbox.clone(),
            abort,
            encode,
        },
        OutboxStream(outbox),
    )
}

#[wasm_bindgen]
impl RawSender {
    /// Queues a message; `INVALID_ARGUMENT` for a value that cannot be encoded (anything but
    /// a `Uint8Array` for serialized messages), or after `close()`.
    pub fn send(&self, message: JsValue) -> Result<(), JsValue> {
        if self.outbox.borrow().closed {
            return Err(interop::error(&interop::invalid(
                "send() after close(): the request stream is over",
            )));
        }
        let bytes = (self.encode)(&message).map_err(|s| interop::error(&s))?;
        let mut outbox = self.outbox.borrow_mut();
        outbox.messages.push_back(bytes);
        if let Some(waker) = outbox.waker.take() {
            waker.wake();
        }
        Ok(())
    }

    /// Half-closes: no more messages; the server sees the end of the request stream.
    pub fn close(&self) {
        let mut outbox = self.outbox.borrow_mut();
        outbox.closed = true;
        if let Some(waker) = outbox.waker.take() {
            waker.wake();
        }
    }

    /// Cancels the call (`CANCELLED`).
    pub fn cancel(&self) {
        self.close();
        if let Some(abort) = &self.abort {
            abort.abort();
        }
    }
}
