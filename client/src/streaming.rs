//! Reply streams: [`Streaming`], the typed stream of a server-streaming call, over
//! `RawStream`, which pumps a reply's body into its decoder as its yields are asked for.

use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use crate::call::CallGuard;
use crate::protocol::metadata::MetadataMap;
use crate::protocol::reply::{ReplyDecoder, Yield};
use crate::protocol::status::Status;
use crate::transport::{BodyReader, Socket};

#[cfg(feature = "js")]
mod batch;
#[cfg(feature = "js")]
pub(crate) use batch::Batch;

/// Where a reply's bytes come from.
pub(crate) enum Source {
    /// A `fetch` body.
    Fetch(BodyReader),
    /// The call's WebSocket (client-streaming and bidi calls). Behind a trait object, so
    /// that apps making only calls over `fetch` never link the socket's reading code.
    Socket(std::rc::Rc<dyn Messages>),
}

/// A reply arriving as messages (a WebSocket's), read as they are asked for.
pub(crate) trait Messages {
    /// The next message, `None` at the end.
    fn poll_message(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<js_sys::Uint8Array>, Status>>;
}

impl Messages for Socket {
    fn poll_message(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<js_sys::Uint8Array>, Status>> {
        Socket::poll_message(self, cx)
    }
}

impl Source {
    /// Pushes the next bytes into `reply`; `false` at the end.
    fn poll_into(
        &mut self,
        cx: &mut Context<'_>,
        reply: &mut ReplyDecoder,
    ) -> Poll<Result<bool, Status>> {
        // One tail for both: the chunk's handling is not compiled twice.
        let chunk = match self {
            Source::Fetch(body) => ready!(body.poll_chunk(cx)),
            Source::Socket(socket) => ready!(socket.poll_message(cx)),
        };
        Poll::Ready(chunk.map(|chunk| match chunk {
            Some(chunk) => {
                crate::transport::push_chunk(reply, &chunk);
                true
            }
            None => false,
        }))
    }
}

/// One reply: chunks are read only as yields are asked for, so memory stays bounded by one
/// message and one chunk however long the stream runs.
pub(crate) struct RawStream {
    headers: MetadataMap,
    reply: ReplyDecoder,
    /// `None` once the body ended or is no longer wanted (dropping it aborts the request).
    body: Option<Source>,
    guard: CallGuard,
    /// A yield read ahead to tell whether an attempt failed before it committed.
    peeked: Option<Yield>,
    /// A compressed frame the browser is inflating: the reply waits for it.
    #[cfg(all(feature = "browser-gzip", not(feature = "gzip")))]
    inflating: Option<crate::transport::Inflating>,
}

impl RawStream {
    pub(crate) fn new(
        headers: MetadataMap,
        #[allow(unused_mut)] mut reply: ReplyDecoder,
        body: Source,
        guard: CallGuard,
    ) -> RawStream {
        // No codec in the pure core: compressed frames come up to be inflated here.
        #[cfg(all(feature = "browser-gzip", not(feature = "gzip")))]
        reply.inflate_outside();
        RawStream {
            headers,
            reply,
            body: Some(body),
            guard,
            peeked: None,
            #[cfg(all(feature = "browser-gzip", not(feature = "gzip")))]
            inflating: None,
        }
    }

    /// The first yield, read ahead and kept for [`poll_next`](Self::poll_next).
    pub(crate) async fn peek(&mut self) -> Option<&Yield> {
        if self.peeked.is_none() {
            self.peeked = self.next().await;
        }
        self.peeked.as_ref()
    }

    /// Hands the call's interceptor reporting to this reply (the attempt that won).
    pub(crate) fn adopt(&mut self, guard: CallGuard) {
        self.guard = guard;
    }

    pub(crate) fn headers(&self) -> &MetadataMap {
        &self.headers
    }

    /// `status` carrying the reply's headers, so a failed call keeps them.
    pub(crate) fn with_headers(&self, status: Status) -> Status {
        if status.headers().is_empty() {
            status.with_headers(self.headers.clone())
        } else {
            status
        }
    }

    /// The reply's next yield; `None` after its end.
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Yield>> {
        let step = ready!(self.poll_step(cx, &mut |_| None::<std::convert::Infallible>));
        Poll::Ready(step.map(|step| match step {
            Step::Yield(y) => y,
            Step::Drained(never) => match never {},
        }))
    }

    /// The reply's next step: what `drain` takes from the decoder before each yield is
    /// asked of it (nothing, for the Rust API), else the next yield; `None` after the end.
    fn poll_step<R>(
        &mut self,
        cx: &mut Context<'_>,
        drain: &mut impl FnMut(&mut ReplyDecoder) -> Option<R>,
    ) -> Poll<Option<Step<R>>> {
        if let Some(y) = self.peeked.take() {
            return Poll::Ready(Some(Step::Yield(y)));
        }
        loop {
            #[cfg(all(feature = "browser-gzip", not(feature = "gzip")))]
            if let Some(inflating) = &mut self.inflating {
                let inflated = ready!(inflating.poll(cx));
                self.inflating = None;
                self.reply.inflated(inflated);
            }
            if let Some(drained) = drain(&mut self.reply) {
                return Poll::Ready(Some(Step::Drained(drained)));
            }
            if let Some(y) = self.decoded_yield() {
                return Poll::Ready(Some(Step::Yield(y)));
            }
            #[cfg(all(feature = "browser-gzip", not(feature = "gzip")))]
            if self.inflating.is_some() {
                continue;
            }
            if !self.reply.wants_body() {
                return Poll::Ready(None);
            }
            let Some(body) = &mut self.body else {
                self.reply.end_of_body();
                continue;
            };
            match ready!(body.poll_into(cx, &mut self.reply)) {
                Ok(true) => {}
                Ok(false) => {
                    self.body = None;
                    self.reply.end_of_body();
                }
                Err(status) => {
                    self.body = None;
                    self.reply.fail(status);
                }
            }
        }
    }

    pub(crate) async fn next(&mut self) -> Option<Yield> {
        std::future::poll_fn(|cx| self.poll_next(cx)).await
    }

    /// The next message if the reply already holds it decoded, without reading the body:
    /// what a batch may take after its first message. An end found here is kept for
    /// [`poll_next`](Self::poll_next), so it still comes after every message.
    #[cfg(feature = "js-dynamic")]
    pub(crate) fn buffered_message(&mut self) -> Option<Bytes> {
        match self.peeked.take().or_else(|| self.decoded_yield())? {
            Yield::Message(bytes) => Some(bytes),
            end => {
                self.peeked = Some(end);
                None
            }
        }
    }

    /// The yield the decoder already holds, without reading; once it is the end, the body
    /// is no longer read (a proxy's page, or a stream after an error) and a failure carries
    /// the reply's headers. A compressed frame in the way starts inflating (`None` then).
    fn decoded_yield(&mut self) -> Option<Yield> {
        let next = self.reply.next();
        #[cfg(all(feature = "browser-gzip", not(feature = "gzip")))]
        if next.is_none() {
            self.inflating = self
                .reply
                .take_compressed()
                .map(crate::transport::Inflating::inflate);
        }
        Some(match next? {
            Yield::End(end) => {
                self.body = None;
                Yield::End(end.map_err(|s| self.with_headers(s)))
            }
            message => message,
        })
    }

    /// Reports the call's end to the interceptors and releases the body (aborting the
    /// request if it is still running).
    pub(crate) fn finish(&mut self, status: &Status) {
        self.body = None;
        self.guard.end(status);
    }

    /// [`finish`](Self::finish) with an OK status carrying `trailers`.
    pub(crate) fn finish_ok(&mut self, trailers: &MetadataMap) {
        self.body = None;
        self.guard.end_ok(trailers);
    }
}

/// One step of [`RawStream::poll_step`].
enum Step<R> {
    /// What the caller's drain took from the decoder.
    Drained(R),
    Yield(Yield),
}

/// The messages of a server-streaming call, as they arrive.
///
/// It is a [`Stream`] of `Result<T, Status>`: messages, then, if the call failed, one
/// `Err` with its status, then the end. The response headers are available from the start,
/// the trailers after the end. Dropping it cancels the call: the request is aborted and the
/// server sees the stream go away.
///
/// It is `!Send`, as are the futures of every call: they hold JavaScript objects, and
/// wasm in the browser runs on one thread. Drive them with
/// `wasm_bindgen_futures::spawn_local` (or your framework's local spawner).
///
/// ```no_run
/// # async fn run(client: grpc_web_wasm::Client) -> Result<(), grpc_web_wasm::Status> {
/// use proto::grpc::testing::{StreamingOutputCallRequest, StreamingOutputCallResponse};
///
/// let mut stream = client
///     .server_streaming::<_, StreamingOutputCallResponse>(
///         "/grpc.testing.TestService/StreamingOutputCall",
///         StreamingOutputCallRequest::default(),
///     )
///     .await?;
/// while let Some(reply) = stream.message().await? {
///     let bytes = reply.payload.map_or(0, |p| p.body.len());
///     assert!(bytes > 0);
/// }
/// # Ok(()) }
/// ```
pub struct Streaming<T> {
    raw: RawStream,
    decode: fn(Bytes) -> Result<T, Status>,
    trailers: Option<MetadataMap>,
    done: bool,
}

impl<T> Streaming<T> {
    pub(crate) fn new(raw: RawStream, decode: fn(Bytes) -> Result<T, Status>) -> Streaming<T> {
        Streaming {
            raw,
            decode,
            trailers: None,
            done: false,
        }
    }

    /// The response headers (those the server's CORS policy exposes).
    pub fn headers(&self) -> &MetadataMap {
        self.raw.headers()
    }

    /// The trailers, once the stream has ended (also after an error status).
    pub fn trailers(&self) -> Option<&MetadataMap> {
        self.trailers.as_ref()
    }

    /// The next message; `Ok(None)` at a successful end, `Err` with the status otherwise.
    pub async fn message(&mut self) -> Result<Option<T>, Status> {
        std::future::poll_fn(|cx| self.poll_message(cx))
            .await
            .transpose()
    }

    fn poll_message(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, Status>>> {
        if self.done {
            return Poll::Ready(None);
        }
        Poll::Ready(match ready!(self.raw.poll_next(cx)) {
            Some(Yield::Message(bytes)) => self.decoded(bytes),
            Some(Yield::End(end)) => self.end(end),
            // Only after the end, which sets `done`.
            None => None,
        })
    }

    /// The next message if it is already decoded (no read from the body); `None` when the
    /// next item needs a read, or is the end (which [`message`](Self::message) then gives).
    #[cfg(feature = "js-dynamic")]
    pub(crate) fn buffered(&mut self) -> Option<Result<T, Status>> {
        if self.done {
            return None;
        }
        let bytes = self.raw.buffered_message()?;
        self.decoded(bytes)
    }

    fn decoded(&mut self, bytes: Bytes) -> Option<Result<T, Status>> {
        match (self.decode)(bytes) {
            Ok(message) => Some(Ok(message)),
            Err(status) => {
                let status = self.raw.with_headers(status);
                self.end(Err(status))
            }
        }
    }

    /// The stream's one end: reported to the interceptors, trailers kept.
    fn end(&mut self, end: Result<MetadataMap, Status>) -> Option<Result<T, Status>> {
        self.done = true;
        match end {
            Ok(trailers) => {
                self.raw.finish_ok(&trailers);
                self.trailers = Some(trailers);
                None
            }
            Err(status) => {
                self.raw.finish(&status);
                self.trailers = Some(status.metadata().clone());
                Some(Err(status))
            }
        }
    }
}

impl<T> Stream for Streaming<T> {
    type Item = Result<T, Status>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_message(cx)
    }
}

impl<T> fmt::Debug for Streaming<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Streaming")
            .field("headers", self.headers())
            .field("trailers", &self.trailers)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}
