//! A server stream for JavaScript: the call starts at the first batch asked for, and
//! `cancel()` (or `break` in `for await`) aborts the fetch at once, whether the call is
//! starting, reading, or idle between reads.
//!
//! Messages cross into JavaScript in batches: each `nextBatch()` waits for one message and
//! takes with it every message the reply has already decoded (never reading the body for
//! them), so a chunk of small messages costs one promise and one copy, not one per message.
//! `messageStream()` in `support.js` yields them one by one.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use bytes::Bytes;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::{AbortController, AbortSignal};

use super::interop;
use crate::client::Client;
use crate::protocol::status::Status;
use crate::request::Request;
use crate::streaming::Streaming;

/// Turns one reply message into the value the iterator yields.
#[cfg(feature = "js-dynamic")]
pub type Decode = Rc<dyn Fn(Bytes) -> Result<JsValue, Status>>;

/// A call not yet started: its future, which runs once asked for a message.
pub type Starter = Pin<Box<dyn Future<Output = Result<Streaming<Bytes>, Status>>>>;

/// What the iterator yields: the messages' bytes, or values made by a [`Decode`].
pub enum Values {
    /// `GrpcWebClient` yields bytes.
    #[cfg(feature = "js")]
    Bytes,
    /// Only `DynamicClient` decodes in wasm.
    #[cfg(feature = "js-dynamic")]
    Decoded(Decode),
}

enum Phase {
    /// Not started: the call to make.
    Ready(Starter),
    /// Started; `None` while a `nextBatch()` holds the stream.
    Open(Option<Box<Streaming<Bytes>>>),
    /// Messages went out in a batch before this failure: the next batch rejects with it.
    Failing(Status),
    Finished,
}

struct State {
    phase: Phase,
    values: Values,
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
#[cfg(feature = "js-dynamic")]
pub fn start(
    client: Client,
    path: String,
    request: Result<Request<Bytes>, Status>,
    decode: Decode,
) -> JsValue {
    start_values(client, path, request, Values::Decoded(decode))
}

/// [`start`] for a stream of the messages' bytes.
#[cfg(feature = "js")]
pub fn start_bytes(
    client: Client,
    path: String,
    request: Result<Request<Bytes>, Status>,
) -> JsValue {
    start_values(client, path, request, Values::Bytes)
}

fn start_values(
    client: Client,
    path: String,
    request: Result<Request<Bytes>, Status>,
    values: Values,
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
        values,
    ))
}

/// The Rust half of a stream whose call `make` starts; `make` gets the signal that
/// `cancel()` aborts, to add to its request.
pub fn start_with(make: impl FnOnce(Option<AbortSignal>) -> Starter, values: Values) -> JsValue {
    let abort = AbortController::new().ok();
    let starter = make(abort.as_ref().map(AbortController::signal));
    let raw = RawMessageStream {
        state: Rc::new(RefCell::new(State {
            phase: Phase::Ready(starter),
            values,
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
    /// The next messages, at least one: an `Array` of values, or `{ bytes, ends }` (the
    /// messages' bytes packed, and where each ends); `undefined` at the end. Rejects with a
    /// `GrpcError` when the call fails, after every message before the failure went out.
    /// `support.js` never calls it again before the previous promise settled.
    #[wasm_bindgen(js_name = nextBatch)]
    pub fn next_batch(&self) -> Promise {
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
                Phase::Failing(status) => return finish(&state, &status),
                Phase::Open(None) | Phase::Finished => return Ok(done(&state)),
            };
            if state.borrow().cancelled {
                return Ok(done(&state));
            }
            let item = streaming.message().await;
            if let Some(trailers) = streaming.trailers() {
                state.borrow_mut().trailers = interop::metadata_to_js(trailers);
            }
            let first = match item {
                // A cancel() while the read was pending: nothing more is decoded.
                _ if state.borrow().cancelled => return Ok(done(&state)),
                Ok(Some(bytes)) => bytes,
                Ok(None) => return Ok(done(&state)),
                Err(status) => return finish(&state, &status),
            };
            let mut messages = vec![first];
            let mut failure = None;
            while let Some(item) = streaming.buffered() {
                match item {
                    Ok(bytes) => messages.push(bytes),
                    Err(status) => {
                        failure = Some(status);
                        break;
                    }
                }
            }
            let (batch, failure) = match &state.borrow().values {
                #[cfg(feature = "js")]
                Values::Bytes => (Some(super::batch::bytes_batch(&messages)), failure),
                #[cfg(feature = "js-dynamic")]
                Values::Decoded(decode) => decoded_batch(decode, messages, failure),
            };
            match (batch, failure) {
                (Some(batch), failure) => {
                    state.borrow_mut().phase = match failure {
                        Some(status) => Phase::Failing(status),
                        None => Phase::Open(Some(streaming)),
                    };
                    Ok(batch)
                }
                (None, Some(status)) => finish(&state, &status),
                (None, None) => Ok(done(&state)),
            }
        })
    }

    /// Ends the stream at once: aborts the call's fetch if it is running (also while it
    /// starts or a `nextBatch()` waits), and a waiting `nextBatch()` resolves as done.
    pub fn cancel(&self) {
        let mut st = self.state.borrow_mut();
        st.cancelled = true;
        // Dropping an idle stream aborts it too; a stream held by a pending nextBatch() is
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

/// The stream is over: `undefined` from now on.
fn done(state: &Rc<RefCell<State>>) -> JsValue {
    let mut st = state.borrow_mut();
    st.phase = Phase::Finished;
    st.abort = None;
    JsValue::UNDEFINED
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

/// The values of `messages` as an `Array`, up to the first that fails to decode, and the
/// failure that ends the stream (a decoding one, or `failure`, which came after them);
/// `None` for the array when not even the first decoded.
#[cfg(feature = "js-dynamic")]
fn decoded_batch(
    decode: &Decode,
    messages: Vec<Bytes>,
    failure: Option<Status>,
) -> (Option<JsValue>, Option<Status>) {
    let values = js_sys::Array::new();
    for bytes in messages {
        match decode(bytes) {
            Ok(value) => {
                values.push(&value);
            }
            Err(status) => {
                let batch = (values.length() > 0).then(|| values.into());
                return (batch, Some(status));
            }
        }
    }
    (Some(values.into()), failure)
}
