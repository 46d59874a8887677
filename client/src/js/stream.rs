//! A server stream for JavaScript: the call starts at the first `next()`, each `next()`
//! reads one message, and `cancel()` (or `break` in `for await`) drops the Rust
//! [`Streaming`], which aborts the fetch.

use std::cell::RefCell;
use std::rc::Rc;

use bytes::Bytes;
use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::interop::{self, set};
use crate::call::Request;
use crate::client::Client;
use crate::protocol::status::Status;
use crate::streaming::Streaming;

/// Turns one reply message into the value the iterator yields.
pub type Decode = Rc<dyn Fn(Bytes) -> Result<JsValue, Status>>;

enum Phase {
    /// Not started: the call to make (or why it cannot be made).
    Ready(Client, String, Result<Request<Bytes>, Status>),
    /// Started; `None` while a `next()` holds the stream.
    Open(Option<Box<Streaming<Bytes>>>),
    Finished,
}

struct State {
    phase: Phase,
    decode: Decode,
    headers: JsValue,
    trailers: JsValue,
}

/// The Rust half of a `MessageStream`; JavaScript sees it through `messageStream()` in
/// `support.js`, which adds the async-iterator protocol.
#[wasm_bindgen(skip_typescript)]
pub struct RawMessageStream {
    state: Rc<RefCell<State>>,
}

/// A `MessageStream` for the call of `path` with `request` on `client`.
pub fn start(
    client: Client,
    path: String,
    request: Result<Request<Bytes>, Status>,
    decode: Decode,
) -> JsValue {
    let raw = RawMessageStream {
        state: Rc::new(RefCell::new(State {
            phase: Phase::Ready(client, path, request),
            decode,
            headers: JsValue::UNDEFINED,
            trailers: JsValue::UNDEFINED,
        })),
    };
    interop::message_stream(raw.into())
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
                Phase::Ready(client, path, request) => {
                    let started = match request {
                        Ok(request) => client.server_streaming_raw(&path, request).await,
                        Err(status) => Err(status),
                    };
                    match started {
                        Ok(streaming) => {
                            let mut st = state.borrow_mut();
                            st.headers = interop::metadata_to_js(streaming.headers());
                            if matches!(st.phase, Phase::Finished) {
                                // cancel() while the call was starting.
                                return Ok(result(true, JsValue::UNDEFINED));
                            }
                            Box::new(streaming)
                        }
                        Err(status) => return Err(finish(&state, &status)),
                    }
                }
                Phase::Open(Some(streaming)) => streaming,
                Phase::Open(None) | Phase::Finished => {
                    state.borrow_mut().phase = Phase::Finished;
                    return Ok(result(true, JsValue::UNDEFINED));
                }
            };
            let item = streaming.message().await;
            if let Some(trailers) = streaming.trailers() {
                state.borrow_mut().trailers = interop::metadata_to_js(trailers);
            }
            match item {
                Ok(Some(bytes)) => {
                    let decoded = (state.borrow().decode)(bytes);
                    match decoded {
                        Ok(value) => {
                            let mut st = state.borrow_mut();
                            // A cancel() while the read was pending finished the stream.
                            if matches!(st.phase, Phase::Open(None)) {
                                st.phase = Phase::Open(Some(streaming));
                            }
                            Ok(result(false, value))
                        }
                        Err(status) => Err(finish(&state, &status)),
                    }
                }
                Ok(None) => {
                    state.borrow_mut().phase = Phase::Finished;
                    Ok(result(true, JsValue::UNDEFINED))
                }
                Err(status) => Err(finish(&state, &status)),
            }
        })
    }

    /// Ends the stream, aborting the call if it is still running.
    pub fn cancel(&self) {
        self.state.borrow_mut().phase = Phase::Finished;
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

fn finish(state: &Rc<RefCell<State>>, status: &Status) -> JsValue {
    let mut st = state.borrow_mut();
    st.phase = Phase::Finished;
    if st.trailers.is_undefined() {
        st.trailers = interop::metadata_to_js(status.metadata());
    }
    interop::error(status)
}

fn result(done: bool, value: JsValue) -> JsValue {
    let object = Object::new();
    set(&object, "done", &done.into());
    set(&object, "value", &value);
    object.into()
}
