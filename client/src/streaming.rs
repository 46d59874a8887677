//! Reply streams: [`Streaming`], the typed stream of a server-streaming call, over
//! `RawStream`, the events of any reply body as they arrive.

use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use crate::call::{Body, CallGuard};
use crate::protocol::body::{final_status, Event};
use crate::protocol::metadata::MetadataMap;
use crate::protocol::response::Head;
use crate::protocol::status::Status;

/// The events of one reply: chunks are read only as events are asked for, so memory stays
/// bounded by one message and one chunk however long the stream runs.
pub(crate) struct RawStream {
    headers: MetadataMap,
    body: Option<Body>,
    /// A trailers-only reply's status headers, handed out as its only event.
    trailers_only: Option<MetadataMap>,
    guard: CallGuard,
}

impl RawStream {
    pub(crate) fn new(
        headers: MetadataMap,
        head: Head,
        body: Option<Body>,
        guard: CallGuard,
    ) -> RawStream {
        let trailers_only = match head {
            Head::TrailersOnly(status) => Some(status.metadata().clone()),
            Head::Framed(_) => None,
        };
        RawStream {
            headers,
            body,
            trailers_only,
            guard,
        }
    }

    pub(crate) fn headers(&self) -> &MetadataMap {
        &self.headers
    }

    /// The next event; `Ok(None)` once the body ended cleanly after its trailers.
    pub(crate) fn poll_event(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Event>, Status>> {
        if let Some(trailers) = self.trailers_only.take() {
            return Poll::Ready(Ok(Some(Event::Trailers(trailers))));
        }
        let Some((reader, decoder)) = &mut self.body else {
            return Poll::Ready(Ok(None));
        };
        loop {
            if let Some(event) = decoder.next_event()? {
                return Poll::Ready(Ok(Some(event)));
            }
            match ready!(reader.poll_chunk(cx))? {
                Some(chunk) => crate::transport::push_chunk(decoder, &chunk)?,
                None => {
                    decoder.finish()?;
                    self.body = None;
                    return Poll::Ready(Ok(None));
                }
            }
        }
    }

    pub(crate) async fn next_event(&mut self) -> Result<Option<Event>, Status> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    /// Reports the call's end to the interceptors and releases the body (aborting the
    /// request if it is still running).
    pub(crate) fn end(&mut self, status: &Status) {
        self.body = None;
        self.guard.end(status);
    }
}

/// The messages of a server-streaming call, as they arrive.
///
/// It is a [`Stream`] of `Result<T, Status>`: messages, then, if the call failed, one
/// `Err` with its status, then the end. The response headers are available from the start,
/// the trailers after the end. Dropping it cancels the call: the request is aborted and the
/// server sees the stream go away.
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
///     println!("{} bytes", reply.payload.map_or(0, |p| p.body.len()));
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
        loop {
            let outcome = match ready!(self.raw.poll_event(cx)) {
                Ok(Some(Event::Message(bytes))) => match (self.decode)(bytes) {
                    Ok(message) => return Poll::Ready(Some(Ok(message))),
                    Err(status) => Err(status),
                },
                Ok(Some(Event::Trailers(trailers))) => {
                    self.trailers = Some(trailers);
                    continue;
                }
                Ok(None) => final_status(self.trailers.as_ref()),
                Err(status) => Err(status),
            };
            self.done = true;
            return Poll::Ready(match outcome {
                Ok(ok) => {
                    self.raw.end(&ok);
                    None
                }
                Err(status) => {
                    self.raw.end(&status);
                    Some(Err(status))
                }
            });
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
