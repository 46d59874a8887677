//! A server stream for JavaScript: the call starts at the first `next()`, each `next()`
//! reads one message, and `cancel()` (or `break` in `for await`) aborts the fetch at once,
//! whether the call is starting, reading, or idle between reads.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use bytes::Bytes;
use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::{AbortController, AbortSignal};

use super::interop::{self, set};
use crate::client::Client;
use crate::protocol::status::Status;
use crate::request::Request;
use crate::streaming::Streaming;

/// Turns one reply message into the value the iterator yields.
pub type Decode = Rc<dyn Fn(Bytes) -> Result<JsValue, Status>>;

/// A call not yet started: its future, which runs once asked for a message.
pub type Starter = Pin<Box<dyn Future<Output = Result<Streaming<Bytes>, Status>>>>;

enum Phase {
    /// Not started: the call to make.
    Ready(Starter),
    /// Started; `None` while a `next()` holds the stream.
    Open(Option<Box<Streaming<Bytes>>>),
    Finished,
}

struct State {
    phase: Phase,
    decode: Decode,
    headers: JsValue,
    trailers: JsValue,
    /// Aborts the call's fetch: its signal is one of the request's.
    abort: Option<AbortController>,
    cancelled: bool,
}

/// The Rust half of a `MessageStream`; JavaScript sees it through `messageStream()` in
/// `support.js`, which adds the async-iterator protocol.
#[wasm_bindgen(skip_typescript)]
pub struct RawMessageStream {
    state: Rc<RefCell<State>>,
}

/// A `MessageStream` for the server-streaming call of `path` with `request` on `client`.
pub fn start(
    client: Client,
    path: String,
    request: Result<Request<Bytes>, Status>,
    decode: Decode,
) -> JsValue {
    interop::message_stream(start_with(
        move |signal| {
            Box::pin(async move {
                let mut request = request?;
                if let Some(signal) = signal {
                    request.set_signal(signal);
                }
                client.server_streaming_raw(&path, request).await
            })
        },
        decode,
    ))
}

/// The Rust half of a stream whose call `make` starts; `make` gets the signal that
/// `cancel()` aborts, to add to its request.
pub fn start_with(make: impl FnOnce(Option<AbortSignal>) -> Starter, decode: Decode) -> JsValue {
    let abort = AbortController::new().ok();
    let starter = make(abort.as_ref().map(AbortController::signal));
    let raw = RawMessageStream {
        state: Rc::new(RefCell::new(State {
            phase: Phase::Ready(starter),
            decode,
            headers: JsValue::UNDEFINED,
            trailers: JsValue::UNDEFINED,
            abort,
            cancelled: false,
        })),
    };
    raw.into()
}

#[wasm_bindgen]
impl RawMessageStream {
    /// The next message as `{ done, value }`; rejects with a `GrpcError` when the call fails.
    /// `support.js` never calls it again before the previous promise settled.
    pub fn next(&self) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let taken = std::mem::replace(&mut state.borrow_mut().phase, Phase::Open(None));
            let mut streaming = match taken {
                Phase::Ready(starter) => match starter.await {
                    Ok(streaming) => {
                        state.borrow_mut().headers = interop::metadata_to_js(streaming.headers());
                        Box::new(streaming)
                    }
                    Err(status) => return finish(&state, &status),
                },
                Phase::Open(Some(streaming)) => streaming,
                Phase::Open(None) | Phase::Finished => return Ok(done(&state)),
            };
            if state.borrow().cancelled {
                return Ok(done(&state));
            }
            let item = streaming.message().await;
            if let Some(trailers) = streaming.trailers() {
                state.borrow_mut().trailers = interop::metadata_to_js(trailers);
            }
            match item {
                // A cancel() while the read was pending: nothing more is decoded.
                _ if state.borrow().cancelled => Ok(done(&state)),
                Ok(Some(bytes)) => {
                    let decoded = (state.borrow().decode)(bytes);
                    match decoded {
                        Ok(value) => {
                            state.borrow_mut().phase = Phase::Open(Some(streaming));
                            Ok(result(false, value))
                        }
                        Err(status) => finish(&state, &status),
                    }
                }
                Ok(None) => Ok(done(&state)),
                Err(status) => finish(&state, &status),
            }
        })
    }

    /// Ends the stream at once: aborts the call's fetch if it is running (also while it
    /// starts or a `next()` waits), and a waiting `next()` resolves as done.
    pub fn cancel(&self) {
        let mut st = self.state.borrow_mut();
        st.cancelled = true;
        // Dropping an idle stream aborts it too; a stream held by a pending next() is
        // reached through the signal.
        st.phase = Phase::Finished;
        if let Some(abort) = st.abort.take() {
            abort.abort();
        }
    }

    /// Response headers, once the call has started.
    #[wasm_bindgen(getter)]
    pub fn headers(&self) -> JsValue {
        self.state.borrow().headers.clone()
    }

    /// Trailers, once the stream has ended.
    #[wasm_bindgen(getter)]
    pub fn trailers(&self) -> JsValue {
        self.state.borrow().trailers.clone()
    }
}

/// The stream is over: `{ done: true }` from now on.
fn done(state: &Rc<RefCell<State>>) -> JsValue {
    let mut st = state.borrow_mut();
    st.phase = Phase::Finished;
    st.abort = None;
    result(true, JsValue::UNDEFINED)
}

fn finish(state: &Rc<RefCell<State>>, status: &Status) -> Result<JsValue, JsValue> {
    if state.borrow().cancelled {
        return Ok(done(state));
    }
    let mut st = state.borrow_mut();
    st.phase = Phase::Finished;
    st.abort = None;
    if st.trailers.is_undefined() {
        st.trailers = interop::metadata_to_js(status.metadata());
    }
    Err(interop::error(status))
}

fn result(done: bool, value: JsValue) -> JsValue {
    let object = Object::new();
    set(&object, "done", &done.into());
    set(&object, "value", &value);
    object.into()
}
