//! A server stream for JavaScript: the call starts at the first batch asked for, and
//! `cancel()` (or `break` in `for await`) aborts the fetch at once, whether the call is
//! starting, reading, or idle between reads.
//!
//! Messages cross into JavaScript in batches: each `nextBatch()` waits for one message and
//! takes with it every message complete in what the body has delivered (never reading the
//! body for them), so a chunk of small messages costs one promise and one copy, not one per
//! message. `messageStream()` in `support.js` yields them one by one.

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
#[derive(Clone)]
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
    /// The next messages, at least one: an `Array` of values, or `{ bytes, bounds }` (bytes
    /// holding the messages, and where each starts and ends in them); `undefined` at the
    /// end. Rejects with a `GrpcError` when the call fails, after every message before the
    /// failure went out.
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
            let values = state.borrow().values.clone();
            let result = match values {
                #[cfg(feature = "js")]
                Values::Bytes => bytes_batch(&mut streaming).await,
                #[cfg(feature = "js-dynamic")]
                Values::Decoded(decode) => decoded_batch(&mut streaming, &decode).await,
            };
            if let Some(trailers) = streaming.trailers() {
                state.borrow_mut().trailers = interop::metadata_to_js(trailers);
            }
            match result {
                // A cancel() while the read was pending: nothing more is decoded.
                _ if state.borrow().cancelled => Ok(done(&state)),
                Next::Batch(batch, failure) => {
                    state.borrow_mut().phase = match failure {
                        Some(status) => Phase::Failing(status),
                        None => Phase::Open(Some(streaming)),
                    };
                    Ok(batch)
                }
                Next::Failed(status) => finish(&state, &status),
                Next::Done => Ok(done(&state)),
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

/// What one `nextBatch()` comes to.
enum Next {
    /// Messages to yield, and the failure that comes after them.
    Batch(JsValue, Option<Status>),
    Failed(Status),
    Done,
}

impl Next {
    fn from_item(item: Result<Option<JsValue>, Status>) -> Next {
        match item {
            Ok(Some(batch)) => Next::Batch(batch, None),
            Ok(None) => Next::Done,
            Err(status) => Next::Failed(status),
        }
    }
}

/// The messages' bytes, as [`batch::drained`](super::batch::drained) packs them: those the
/// reply holds complete at once, or else the next one (after a read if none is there).
#[cfg(feature = "js")]
async fn bytes_batch(streaming: &mut Streaming<Bytes>) -> Next {
    use crate::streaming::Batch;
    let mut bounds = Vec::new();
    let item = std::future::poll_fn(|cx| {
        streaming.poll_batch(cx, &mut |reply| {
            reply.drain_messages(&mut bounds, super::batch::drained)
        })
    })
    .await;
    Next::from_item(item.map(|batch| {
        batch.map(|batch| match batch {
            Batch::Drained(batch) => batch,
            Batch::One(bytes) => super::batch::one(&bytes),
        })
    }))
}

/// The next message's value and those of every message already decoded after it, as an
/// `Array`, up to the first that fails to decode; then the failure that ends the stream.
#[cfg(feature = "js-dynamic")]
async fn decoded_batch(streaming: &mut Streaming<Bytes>, decode: &Decode) -> Next {
    let first = match streaming.message().await {
        Ok(Some(bytes)) => bytes,
        item => return Next::from_item(item.map(|_| None)),
    };
    let values = js_sys::Array::new();
    let mut failure = None;
    for item in std::iter::once(Ok(first)).chain(std::iter::from_fn(|| streaming.buffered())) {
        match item.and_then(|bytes| decode(bytes)) {
            Ok(value) => {
                values.push(&value);
            }
            Err(status) => {
                failure = Some(status);
                break;
            }
        }
    }
    match (values.length(), failure) {
        (0, Some(status)) => Next::Failed(status),
        (_, failure) => Next::Batch(values.into(), failure),
    }
}
