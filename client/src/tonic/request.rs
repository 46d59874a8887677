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
mod tests {
    use std::convert::Infallible;
    use std::pin::Pin;
    use std::task::Context;
    use std::time::Duration;

    use http::header::HeaderValue;

    use super::*;
    use crate::protocol::frame;
    /// A request body delivered in the given chunks, each ready at once, then the end.
    struct Chunks(Vec<Bytes>);
    impl http_body::Body for Chunks {
        type Data = Bytes;
        type Error = Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
            Poll::Ready(if self.0.is_empty() {
                None
            } else {
                Some(Ok(http_body::Frame::data(self.0.remove(0))))
            })
        }
    }
    /// Runs a future that must complete without waiting (tonic's request bodies never wait).
    fn now<T>(future: impl std::future::Future<Output = T>) -> T {
        let mut future = pin!(future);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(value) => value,
            Poll::Pending => panic!("the future waited"),
        }
    }
    fn read(chunks: Vec<Bytes>) -> Result<Bytes, Status> {
        match now(read_message(Chunks(chunks), |e| match e {}))? {
            Read::One(message) => Ok(message),
            Read::Stream(..) => Err(request_stream()),
        }
    }
    /// `message` in an uncompressed gRPC data frame, as tonic sends it.
    fn framed(message: &[u8]) -> Bytes {
        use bytes::{BufMut, BytesMut};
        let mut frame = BytesMut::with_capacity(frame::HEADER_LEN + message.len());
        frame.put_slice(&frame::encode_header(0, message.len()));
        frame.put_slice(message);
        frame.freeze()
    }
    #[test]
    fn one_frame_is_the_message() {
        assert_eq!(read(vec![framed(b"\x08\x01")]).unwrap(), &b"\x08\x01"[..]);
        // An empty message is a valid one (all fields default).
        assert_eq!(read(vec![framed(b"")]).unwrap(), Bytes::new());
    }
    #[test]
    fn two_frames_or_none_are_a_request_stream() {
        let mut two = framed(b"a").to_vec();
        two.extend_from_slice(&framed(b"b"));
        for chunks in [
            vec![Bytes::from(two)],
            vec![framed(b"a"), framed(b"b")],
            vec![],
        ] {
            let status = read(chunks).expect_err("not one message");
            assert_eq!(status.code(), Code::Unimplemented);
            assert!(status
                .message()
                .contains("fetch cannot stream request bodies"));
        }
    }
    #[test]
    fn a_body_still_open_after_its_first_message_is_a_request_stream() {
        /// One frame, then pending forever: a request stream waiting for its next item.
        struct Open(Option<Bytes>);
        impl http_body::Body for Open {
            type Data = Bytes;
            type Error = Infallible;
            fn poll_frame(
                mut self: Pin<&mut Self>,
                _cx: &mut Context<'_>,
            ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
                match self.0.take() {
                    Some(frame) => Poll::Ready(Some(Ok(http_body::Frame::data(frame)))),
                    None => Poll::Pending,
                }
            }
        }
        let read = now(read_message(Open(Some(framed(b"x"))), |e| match e {})).unwrap();
        assert!(
            matches!(read, Read::Stream(ref m, _) if m.len() == 1),
            "a stream"
        );
    }
    #[test]
    fn compressed_truncated_and_trailer_frames_are_refused() {
        let mut compressed = framed(b"zz").to_vec();
        compressed[0] = frame::FLAG_COMPRESSED;
        let status = read(vec![Bytes::from(compressed)]).unwrap_err();
        assert_eq!(status.code(), Code::Unimplemented);
        assert!(status.message().contains("compress"), "{status}");

        let status = read(vec![framed(b"abcdef").slice(..7)]).unwrap_err();
        assert_eq!(status.code(), Code::Internal, "{status}");

        let mut trailers = framed(b"").to_vec();
        trailers[0] = frame::FLAG_TRAILERS;
        assert_eq!(
            read(vec![Bytes::from(trailers)]).unwrap_err().code(),
            Code::Internal
        );
    }
    #[test]
    fn request_headers_become_metadata_and_the_deadline() {
        let mut headers = HeaderMap::new();
        for (k, v) in [
            ("te", "trailers"),
            ("content-type", "application/grpc"),
            ("grpc-timeout", "250m"),
            ("grpc-accept-encoding", "gzip"),
            ("x-request-id", "abc"),
            ("x-multi", "1"),
            ("x-multi", "2"),
            // tonic writes binary metadata as unpadded base64.
            ("trace-bin", "AAEC"),
        ] {
            headers.append(k, HeaderValue::from_static(v));
        }
        let request = request_with_metadata(Bytes::from_static(b"m"), &headers).unwrap();
        assert_eq!(request.timeout(), Some(Duration::from_millis(250)));
        let md = request.metadata();
        let entries: Vec<_> = md.iter().collect();
        assert_eq!(
            entries,
            [
                ("x-request-id", "abc"),
                ("x-multi", "1"),
                ("x-multi", "2"),
                ("trace-bin", "AAEC")
            ]
        );
        assert_eq!(md.get_bin("trace-bin").unwrap().unwrap(), [0, 1, 2]);
        assert_eq!(request.get_ref(), &Bytes::from_static(b"m"));
    }
    #[test]
    fn metadata_the_client_refuses_is_an_error_naming_it() {
        for (key, value) in [
            ("x-user-agent", HeaderValue::from_static("mine")),
            ("x-latin", HeaderValue::from_bytes(b"caf\xe9").unwrap()),
            ("bad-bin", HeaderValue::from_static("!!")),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(key, value);
            let status = request_with_metadata(Bytes::new(), &headers).unwrap_err();
            assert_eq!(status.code(), Code::Internal);
            assert!(status.message().contains(key), "{status}");
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            /// However tonic's frame is split into chunks, the message comes out whole.
            #[test]
            fn any_chunking_gives_the_message(
                message in prop::collection::vec(any::<u8>(), 0..300),
                cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
            ) {
                let frame = framed(&message);
                let mut cuts: Vec<usize> =
                    cuts.iter().map(|i| i.index(frame.len() + 1)).collect();
                cuts.sort_unstable();
                let mut chunks = Vec::new();
                let mut start = 0;
                for cut in cuts.into_iter().chain([frame.len()]) {
                    chunks.push(frame.slice(start..cut));
                    start = cut;
                }
                prop_assert_eq!(read(chunks).unwrap(), Bytes::from(message));
            }
        }
    }
}
