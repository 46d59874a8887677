//! tonic compatibility (feature `tonic`): [`GrpcWebService`] carries the calls of
//! tonic-generated clients over this crate's `fetch` transport.
//!
//! A project whose clients come from `tonic-prost-build` switches transport by changing
//! the line that builds the client:
//!
//! ```ignore
//! use grpc_web_wasm::{tonic::GrpcWebService, Client};
//! use proto::demo::v1::{user_service_client::UserServiceClient, UserRequest};
//!
//! # async fn run() -> Result<(), tonic::Status> {
//! // Was: UserServiceClient::new(Channel::from_static("http://[::1]:50051").connect().await?)
//! let mut users = UserServiceClient::new(GrpcWebService::new(Client::new("https://api.example.com")));
//! let reply = users.get_user(UserRequest { user_id: 1 }).await?;
//! println!("{}", reply.get_ref().name);
//! # Ok(()) }
//! ```
//!
//! Generate those clients without tonic's transport (`build_transport(false)`) and depend
//! on `tonic` with `default-features = false` (plus `codegen`, and `tonic-prost` for the
//! codec): tonic's transport does not build for wasm32.
//!
//! Each tonic call reaches the service as an `http::Request` whose body holds one gRPC
//! frame. The service unframes it, turns the request headers into a [`Request`] (metadata,
//! and `grpc-timeout` as the call's deadline), and calls
//! [`Client::server_streaming_raw`], so the client's options, interceptors and limits
//! apply as to any call. The reply is an `http::Response` whose body frames each message
//! again and ends with HTTP trailers (`grpc-status`, `grpc-message`, the trailer metadata);
//! every failure becomes a `grpc-status` (in the trailers, or a trailers-only response),
//! so tonic reports the same [`Status`](crate::Status) code and message the typed API would.
//!
//! What tonic cannot get over `fetch`: client-streaming and bidirectional methods (their
//! request is a stream; the call fails with `UNIMPLEMENTED`), and tonic's own message
//! compression (configure [`Client::send_compressed`] and
//! [`Client::accept_compressed`] instead; a compressed request frame is `UNIMPLEMENTED`).

use std::convert::Infallible;
use std::fmt;
use std::future::poll_fn;
use std::pin::{pin, Pin};
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures_core::future::LocalBoxFuture;
use futures_core::Stream;
use http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use send_wrapper::SendWrapper;

use crate::protocol::base64;
use crate::protocol::frame::{self, Frame, FrameDecoder};
use crate::protocol::metadata::MetadataMap;
use crate::protocol::quoted::Quoted;
use crate::protocol::status::{percent_encode, Code, Status};
use crate::protocol::timeout;
use crate::{Client, Request, Streaming};

/// A [`Client`] as the transport of tonic-generated clients: a tower `Service` over `http`
/// requests with [`tonic::body::Body`], which makes it a [`tonic::client::GrpcService`].
/// Cheap to clone.
///
/// It never fails as a service: every failure is a gRPC status in the response, which
/// tonic turns into its [`tonic::Status`].
#[derive(Debug, Clone)]
pub struct GrpcWebService {
    client: Client,
}

impl GrpcWebService {
    /// A service sending every call through `client`.
    pub fn new(client: Client) -> GrpcWebService {
        GrpcWebService { client }
    }

    /// The client the calls go through.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl From<Client> for GrpcWebService {
    fn from(client: Client) -> GrpcWebService {
        GrpcWebService::new(client)
    }
}

impl tower_service::Service<http::Request<tonic::body::Body>> for GrpcWebService {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    /// Not `Send`: the call holds browser objects, which stay on their thread.
    type Future = LocalBoxFuture<'static, Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // fetch queues calls itself; there is nothing to wait for.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        let client = self.client.clone();
        Box::pin(async move { Ok(call(client, request).await) })
    }
}

async fn call(
    client: Client,
    request: http::Request<tonic::body::Body>,
) -> http::Response<tonic::body::Body> {
    let (parts, body) = request.into_parts();
    let message = match read_message(body, from_tonic).await {
        Ok(message) => message,
        Err(status) => return trailers_only(&status),
    };
    let request = match request_with_metadata(message, &parts.headers) {
        Ok(request) => request,
        Err(status) => return trailers_only(&status),
    };
    match client.server_streaming_raw(parts.uri.path(), request).await {
        Ok(stream) => {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
            copy_metadata(stream.headers(), &mut headers);
            response(headers, ReplyBody::new(Some(SendWrapper::new(stream))))
        }
        Err(status) => trailers_only(&status),
    }
}

fn from_tonic(status: tonic::Status) -> Status {
    Status::new(Code::from_i32(status.code() as i32), status.message())
}

/// The status of a tonic request that is a stream of messages rather than one.
fn request_stream() -> Status {
    Status::new(
        Code::Unimplemented,
        "the tonic client sent a request stream (a client-streaming or bidirectional method), \
         which gRPC-Web over fetch cannot carry: fetch cannot stream request bodies. A transport \
         that streams requests can, such as tonic's own Channel over HTTP/2, outside the browser.",
    )
}

/// The one message of a tonic request body, unframed.
///
/// tonic writes a unary or server-streaming request as one frame and then ends the body at
/// once. A second frame, a body that is still open after the first one (a request stream
/// waiting for more), or no frame at all means a streaming request: `UNIMPLEMENTED`.
async fn read_message<B>(body: B, error: impl Fn(B::Error) -> Status) -> Result<Bytes, Status>
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
                Frame::Data { payload, .. } if message.is_none() => message = Some(payload),
                Frame::Data { .. } => return Err(request_stream()),
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
            Poll::Pending if message.is_some() => return Err(request_stream()),
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
    message.ok_or_else(request_stream)
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
fn request_with_metadata(message: Bytes, headers: &HeaderMap) -> Result<Request<Bytes>, Status> {
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

/// Metadata the reply carried that must not reach tonic as headers: the reply's own
/// framing (the client has already decompressed and unframed it) and the status, which
/// this module writes itself.
const REPLY_METADATA_SKIPPED: &[&str] = &[
    "content-type",
    "content-length",
    "grpc-encoding",
    "grpc-accept-encoding",
    "grpc-status",
    "grpc-message",
];

/// Copies `metadata` into `headers`, leaving out what tonic must not see again.
fn copy_metadata(metadata: &MetadataMap, headers: &mut HeaderMap) {
    for (key, value) in metadata.iter() {
        if REPLY_METADATA_SKIPPED.contains(&key) {
            continue;
        }
        // Both came from HTTP headers, so both are valid as such.
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
}

/// `grpc-status`, `grpc-message` and the status's metadata, as tonic reads them from
/// trailers or from a trailers-only response's headers.
fn status_headers(status: &Status, headers: &mut HeaderMap) {
    headers.insert("grpc-status", HeaderValue::from(status.code().as_i32()));
    if !status.message().is_empty() {
        // Percent-encoding leaves printable ASCII only.
        if let Ok(message) = HeaderValue::from_str(&percent_encode(status.message())) {
            headers.insert("grpc-message", message);
        }
    }
    copy_metadata(status.metadata(), headers);
}

/// A reply with no body: the status in the headers.
fn trailers_only(status: &Status) -> http::Response<tonic::body::Body> {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    status_headers(status, &mut headers);
    response(headers, ReplyBody::new(None))
}

fn response(headers: HeaderMap, body: ReplyBody) -> http::Response<tonic::body::Body> {
    let mut response = http::Response::new(tonic::body::Body::new(body));
    *response.headers_mut() = headers;
    response
}

/// A reply's messages as gRPC data frames, then its status as HTTP trailers; `None` once
/// the trailers are out (or for a trailers-only reply).
///
/// `SendWrapper`: tonic needs a `Send` body, and the stream holds browser objects, which
/// never leave the thread that made them (wasm32 without threads has only that one).
///
/// Each message goes out as two data chunks, its 5-byte frame header and then the message
/// itself, so the message bytes are handed on as they are, never copied into a new frame
/// (tonic's decoder takes frames in any chunking).
struct ReplyBody {
    stream: Option<SendWrapper<Streaming<Bytes>>>,
    /// A message whose header has gone out and which is next.
    pending: Option<Bytes>,
}

impl ReplyBody {
    fn new(stream: Option<SendWrapper<Streaming<Bytes>>>) -> ReplyBody {
        ReplyBody {
            stream,
            pending: None,
        }
    }
}

impl http_body::Body for ReplyBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        if let Some(message) = self.pending.take() {
            return Poll::Ready(Some(Ok(http_body::Frame::data(message))));
        }
        let Some(stream) = &mut self.stream else {
            return Poll::Ready(None);
        };
        let mut trailers = HeaderMap::new();
        match ready!(Pin::new(&mut **stream).poll_next(cx)) {
            Some(Ok(message)) => {
                let header = Bytes::copy_from_slice(&frame::encode_header(0, message.len()));
                self.pending = Some(message);
                return Poll::Ready(Some(Ok(http_body::Frame::data(header))));
            }
            Some(Err(status)) => status_headers(&status, &mut trailers),
            None => {
                trailers.insert("grpc-status", HeaderValue::from(Code::Ok.as_i32()));
                if let Some(metadata) = stream.trailers() {
                    copy_metadata(metadata, &mut trailers);
                }
            }
        }
        self.stream = None;
        Poll::Ready(Some(Ok(http_body::Frame::trailers(trailers))))
    }

    fn is_end_stream(&self) -> bool {
        self.stream.is_none() && self.pending.is_none()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use http_body::Body as _;

    use super::*;

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
        now(read_message(Chunks(chunks), |e| match e {}))
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
        let status =
            now(read_message(Open(Some(framed(b"x"))), |e| match e {})).expect_err("a stream");
        assert_eq!(status.code(), Code::Unimplemented, "{status}");
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
    fn a_body_error_keeps_tonics_code() {
        let status = from_tonic(tonic::Status::out_of_range("too big"));
        assert_eq!(status.code(), Code::OutOfRange);
        assert_eq!(status.message(), "too big");
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

    #[test]
    fn a_failed_call_is_a_trailers_only_response_tonic_reads_back() {
        // As received: the server's trailers, status included.
        let mut metadata = MetadataMap::new();
        metadata.push_received("grpc-status", "5");
        metadata.push_received("x-reason", "quota");
        metadata.push_received("grpc-status-details-bin", "CAU");
        let status =
            Status::new(Code::NotFound, "user 42 not found: 100% sure").with_metadata(metadata);
        let response = trailers_only(&status);
        assert!(response.body().is_end_stream());
        assert_eq!(response.headers()["content-type"], "application/grpc");
        let back = tonic::Status::from_header_map(response.headers()).expect("a status");
        assert_eq!(back.code(), tonic::Code::NotFound);
        assert_eq!(back.message(), "user 42 not found: 100% sure");
        assert_eq!(back.details(), &[8u8, 5][..]);
        assert_eq!(back.metadata().get("x-reason").unwrap(), "quota");
    }

    #[test]
    fn reply_metadata_leaves_out_framing_and_status() {
        let mut metadata = MetadataMap::new();
        for (k, v) in [
            ("grpc-encoding", "gzip"),
            ("x-served-by", "a"),
            ("x-served-by", "b"),
        ] {
            metadata.push_received(k, v);
        }
        let mut headers = HeaderMap::new();
        copy_metadata(&metadata, &mut headers);
        assert_eq!(headers.len(), 2);
        assert_eq!(
            headers.get_all("x-served-by").iter().collect::<Vec<_>>(),
            ["a", "b"]
        );
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
