//! The one message of a tonic request: unframed from tonic's body, and tonic's request
//! headers turned into this crate's metadata and deadline.

use std::fmt;
use std::future::poll_fn;
use std::pin::{pin, Pin};
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::HeaderMap;

use crate::protocol::base64;
use crate::protocol::frame::{Frame, FrameDecoder};
use crate::protocol::quoted::Quoted;
use crate::protocol::status::{Code, Status};
use crate::protocol::timeout;
use crate::Request;

/// The status of a tonic request that is a stream of messages rather than one.
#[cfg(test)]
fn request_stream() -> Status {
    Status::new(
        Code::Unimplemented,
        "the tonic client sent a request stream (a client-streaming or bidirectional method), \
         which gRPC-Web over fetch cannot carry: fetch cannot stream request bodies. A transport \
         that streams requests can, such as tonic's own Channel over HTTP/2, outside the browser.",
    )
}

/// What a tonic request body holds.
pub(super) enum Read {
    /// One message, and the body ended: a unary or server-streaming call, for `fetch`.
    One(Bytes),
    /// A request stream (a second frame, a body still open after the first, or no frame at
    /// all): the messages read so far, and the decoder holding any partial frame; the rest
    /// comes from the body.
    Stream(Vec<Bytes>, FrameDecoder),
}

/// Reads a tonic request body far enough to tell one message from a request stream.
///
/// tonic writes a unary or server-streaming request as one frame and then ends the body at
/// once. A second frame, a body that is still open after the first one (a request stream
/// waiting for more), or no frame at all means a streaming request.
pub(super) async fn read_message<B>(
    body: B,
    error: impl Fn(B::Error) -> Status,
) -> Result<Read, Status>
where
    B: http_body::Body<Data = Bytes>,
{
    let mut body = pin!(body);
    // The frames are tonic's, already in memory: no limit beyond the frame format's own.
    // The client checks the message against its send limit when it frames it again.
    let mut decoder = FrameDecoder::new(u32::MAX as usize, 0);
    let mut message = None;
    loop {
        while let Some(frame) = decoder.next_frame()? {
            match frame {
                Frame::Data {
                    compressed: true, ..
                } => {
                    return Err(Status::new(
                        Code::Unimplemented,
                        "the tonic client compressed the request message; configure \
                         compression on the grpc_web_wasm::Client instead",
                    ))
                }
                Frame::Data { payload, .. } => match message.take() {
                    None => message = Some(payload),
                    Some(first) => return Ok(Read::Stream(vec![first, payload], decoder)),
                },
                Frame::Trailers { .. } => {
                    return Err(Status::new(
                        Code::Internal,
                        "the tonic request body holds a trailer frame",
                    ))
                }
            }
        }
        let next = match poll_fn(|cx| Poll::Ready(body.as_mut().poll_frame(cx))).await {
            Poll::Ready(next) => next,
            Poll::Pending if message.is_some() => {
                return Ok(Read::Stream(message.into_iter().collect(), decoder))
            }
            Poll::Pending => poll_fn(|cx| body.as_mut().poll_frame(cx)).await,
        };
        match next {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    decoder.push(&data);
                }
            }
            Some(Err(e)) => return Err(error(e)),
            None => break,
        }
    }
    decoder.finish()?;
    Ok(match message {
        Some(message) => Read::One(message),
        None => Read::Stream(Vec::new(), decoder),
    })
}

/// The rest of a request stream: the messages already read, then each frame of the body as
/// it arrives, unframed.
pub(super) struct RequestStream<B> {
    body: Pin<Box<B>>,
    decoder: FrameDecoder,
    ready: std::collections::VecDeque<Bytes>,
    ended: bool,
}

impl<B> RequestStream<B> {
    pub(super) fn new(body: Pin<Box<B>>, read: Vec<Bytes>, decoder: FrameDecoder) -> Self {
        RequestStream {
            body,
            decoder,
            ready: read.into(),
            ended: false,
        }
    }
}

impl<B> futures_core::Stream for RequestStream<B>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: fmt::Display,
{
    type Item = Result<Bytes, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(message) = self.ready.pop_front() {
                return Poll::Ready(Some(Ok(message)));
            }
            match self.decoder.next_frame() {
                Ok(Some(Frame::Data {
                    payload,
                    compressed: false,
                })) => return Poll::Ready(Some(Ok(payload))),
                Ok(Some(_)) => {
                    return Poll::Ready(Some(Err(Status::new(
                        Code::Unimplemented,
                        "the tonic client sent a compressed message or a trailer frame",
                    ))))
                }
                Err(e) => return Poll::Ready(Some(Err(e.into()))),
                Ok(None) if self.ended => {
                    return Poll::Ready(self.decoder.finish().err().map(|e| Err(e.into())))
                }
                Ok(None) => {}
            }
            match std::task::ready!(self.body.as_mut().poll_frame(cx)) {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        self.decoder.push(&data);
                    }
                }
                Some(Err(e)) => {
                    let status = Status::new(
                        Code::Internal,
                        format!("the tonic request body failed: {e}"),
                    );
                    return Poll::Ready(Some(Err(status)));
                }
                None => self.ended = true,
            }
        }
    }
}

/// Request headers tonic sets for the HTTP/2 exchange; the client sets its own.
const REQUEST_HEADERS_SKIPPED: &[&str] = &[
    "te",
    "content-type",
    "content-length",
    "user-agent",
    "grpc-timeout",
    "grpc-encoding",
    "grpc-accept-encoding",
];

/// `message` as a [`Request`] with the metadata of tonic's request `headers`; its
/// `grpc-timeout` becomes the request's timeout.
pub(super) fn request_with_metadata(
    message: Bytes,
    headers: &HeaderMap,
) -> Result<Request<Bytes>, Status> {
    let mut request = Request::new(message);
    if let Some(timeout) = headers
        .get("grpc-timeout")
        .and_then(|v| v.to_str().ok())
        .and_then(timeout::parse)
    {
        request.set_timeout(timeout);
    }
    for (name, value) in headers {
        let key = name.as_str();
        if REQUEST_HEADERS_SKIPPED.contains(&key) {
            continue;
        }
        let invalid = |why: &dyn fmt::Display| {
            Status::new(
                Code::Internal,
                format!("cannot send the metadata {}: {why}", Quoted(key)),
            )
        };
        let text = value
            .to_str()
            .map_err(|_| invalid(&"the value is not ASCII"))?;
        let added = if key.ends_with("-bin") {
            let bytes = base64::decode_unpadded(text.trim_end_matches('=').as_bytes())
                .map_err(|e| invalid(&e))?;
            request.metadata_mut().append_bin(key, &bytes)
        } else {
            request.metadata_mut().append(key, text)
        };
        added.map_err(|e| invalid(&e))?;
    }
    Ok(request)
}

#[cfg(test)]
mod tests;
