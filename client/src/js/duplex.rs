//! Client-streaming and bidi calls for JavaScript, shared by `GrpcWebClient` (serialized
//! messages) and `DynamicClient` (plain objects): the two differ only in how a sent value
//! becomes bytes and how a reply becomes a value.

use bytes::Bytes;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::interop::{self, CallOptions};
use super::send::{self, Encode};
#[cfg(feature = "js-dynamic")]
use super::stream::Decode;
use super::stream::{self, Values};
use crate::call;
use crate::client::Client;
use crate::duplex::{self, Messages};
use crate::protocol::reply::Cardinality;
use crate::protocol::status::Status;
use crate::response::Response;
use crate::streaming::Streaming;

/// A client-streaming call: `send()`, `close()`, `cancel()`, and `response`, which
/// `respond` makes from the reply (decoded by `decode` inside the call, so interceptors see
/// a failure to decode).
pub fn client_stream<T: 'static>(
    client: Client,
    path: Result<String, Status>,
    options: &JsValue,
    encode: Encode,
    decode: impl FnOnce(Bytes) -> Result<T, Status> + 'static,
    respond: impl FnOnce(&Response<T>) -> JsValue + 'static,
) -> JsValue {
    let abort = web_sys::AbortController::new().ok();
    let signal = abort.as_ref().map(web_sys::AbortController::signal);
    let (sender, outbox) = send::outbox(abort, encode);
    let request = path
        .and_then(|path| Ok((path, CallOptions::from_js(options)?)))
        .map(|(path, o)| {
            let mut request = o
                .request(Bytes::new())
                .map(|_| Box::pin(outbox) as Messages);
            if let Some(signal) = signal {
                request.set_signal(signal);
            }
            (path, request)
        });
    let response = future_to_promise(async move {
        let run = async {
            let (path, request) = request?;
            let stream = duplex::start(&client, &path, request, Cardinality::Unary).await?;
            call::finish_unary(stream, decode).await
        };
        run.await
            .map(|reply| respond(&reply))
            .map_err(|s| interop::error(&s))
    });
    interop::client_stream_call(sender.into(), response)
}

/// A bidi call: a message stream of the replies (each made by `decode`), with `send()` and
/// `close()`.
#[cfg(feature = "js-dynamic")]
pub fn bidi_stream(
    client: Client,
    path: Result<String, Status>,
    options: &JsValue,
    encode: Encode,
    decode: Decode,
) -> JsValue {
    bidi(client, path, options, encode, Values::Decoded(decode))
}

/// [`bidi_stream`] whose replies are the messages' bytes.
#[cfg(feature = "js")]
pub fn bidi_stream_bytes(
    client: Client,
    path: Result<String, Status>,
    options: &JsValue,
    encode: Encode,
) -> JsValue {
    bidi(client, path, options, encode, Values::Bytes)
}

fn bidi(
    client: Client,
    path: Result<String, Status>,
    options: &JsValue,
    encode: Encode,
    values: Values,
) -> JsValue {
    let (sender, outbox) = send::outbox(None, encode);
    let request = path.and_then(|path| {
        let request = CallOptions::from_js(options)?
            .request(Bytes::new())
            .map(|_| Box::pin(outbox) as Messages);
        Ok((path, request))
    });
    let replies = stream::start_with(
        move |signal| {
            Box::pin(async move {
                let (path, mut request) = request?;
                if let Some(signal) = signal {
                    request.set_signal(signal);
                }
                let raw = duplex::start(&client, &path, request, Cardinality::Stream).await?;
                Ok(Streaming::new(raw, Ok))
            })
        },
        values,
    );
    interop::bidi_stream_call(sender.into(), replies)
}
