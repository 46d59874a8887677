//! [`Client`]: one server's base URL and the options that apply to every call on it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use prost::Message;

use crate::call::{self, Outgoing};
use crate::duplex::IntoStreamingRequest;
use crate::header::InvalidHeader;
use crate::interceptor::Interceptor;
use crate::protocol::compression::Compression;
use crate::protocol::detail::detail;
use crate::protocol::limits::Limits;
use crate::protocol::metadata::{InvalidMetadata, MetadataMap};
use crate::protocol::reply::Cardinality;
use crate::protocol::status::{Code, Status};
use crate::request::{IntoRequest, Request};
use crate::response::Response;
use crate::streaming::Streaming;

/// How request and reply bodies are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// `application/grpc-web+proto`: frames as bytes. The default, and the fastest.
    #[default]
    Binary,
    /// `application/grpc-web-text`: frames as base64, for proxies that mangle binary bodies.
    /// Needs the feature `text-mode` (on by default); without it calls fail with
    /// `UNIMPLEMENTED`.
    Text,
}

/// Whether `fetch` sends cookies and HTTP authentication (its `credentials` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credentials {
    /// Never.
    Omit,
    /// To the page's own origin only (the browser's default).
    SameOrigin,
    /// Also cross-origin; the server's CORS policy must allow credentials.
    Include,
}

#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) base_url: String,
    pub(crate) limits: Limits,
    pub(crate) max_send_message_size: usize,
    pub(crate) text: bool,
    pub(crate) timeout: Option<Duration>,
    /// `fetch`'s `credentials` option as sent; empty for the browser's default.
    pub(crate) credentials: &'static str,
    pub(crate) headers: MetadataMap,
    pub(crate) interceptors: Arc<[Arc<dyn Interceptor>]>,
    pub(crate) send_compression: Option<Compression>,
    pub(crate) accept_compression: Vec<Compression>,
    /// Retry and hedging policies by method, and per-method timeouts (`crate::retry`).
    pub(crate) retry: Option<Arc<crate::protocol::retry::RetryConfig>>,
    /// How calls start while `retry` is set (`crate::retry::Start`).
    pub(crate) retry_start: Option<crate::retry::Start>,
    /// The retry throttle of this client's target, shared by its clones.
    pub(crate) throttle: Option<Arc<std::sync::Mutex<crate::protocol::retry::Throttle>>>,
}

/// A gRPC-Web client for one server. Cheap to clone, `Send` and `Sync`.
///
/// Limits are on by default: messages over 4 MiB are refused in both directions
/// (`RESOURCE_EXHAUSTED`), before anything is allocated for them.
///
/// ```
/// use std::time::Duration;
/// use grpc_web_wasm::{Client, Compression, Mode};
///
/// let client = Client::new("https://api.example.com/grpc")
///     .mode(Mode::Text)
///     .timeout(Duration::from_secs(10))
///     .accept_compressed(Compression::Gzip)
///     .header("x-api-key", "k-123")
///     .unwrap();
/// ```
#[derive(Clone)]
pub struct Client {
    config: Arc<Config>,
}

impl Client {
    /// A client for the server at `base_url`, e.g. `"https://api.example.com"` or
    /// `"http://127.0.0.1:50051"`. It may have a path prefix (`https://example.com/api`);
    /// method paths are appended to it.
    pub fn new(base_url: impl Into<String>) -> Client {
        let limits = Limits::default();
        Client {
            config: Arc::new(Config {
                base_url: base_url.into(),
                limits,
                max_send_message_size: limits.max_message_size,
                text: false,
                timeout: None,
                credentials: "",
                headers: MetadataMap::new(),
                interceptors: Arc::new([]),
                send_compression: None,
                accept_compression: Vec::new(),
                retry: None,
                retry_start: None,
                throttle: None,
            }),
        }
    }

    pub(crate) fn with(mut self, change: impl FnOnce(&mut Config)) -> Client {
        change(Arc::make_mut(&mut self.config));
        self
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    /// Binary (the default) or text mode.
    pub fn mode(self, mode: Mode) -> Client {
        self.with(|c| c.text = mode == Mode::Text)
    }

    /// A deadline for every call that does not set its own
    /// ([`Request::set_timeout`](crate::Request::set_timeout)).
    pub fn timeout(self, timeout: Duration) -> Client {
        self.with(|c| c.timeout = Some(timeout))
    }

    /// `fetch`'s credentials mode for every call.
    pub fn credentials(self, credentials: Credentials) -> Client {
        self.with(|c| {
            c.credentials = match credentials {
                Credentials::Omit => "omit",
                Credentials::SameOrigin => "same-origin",
                Credentials::Include => "include",
            }
        })
    }

    /// A header sent with every call, before each request's own metadata. A refused key
    /// or value gives the client back unchanged ([`InvalidHeader::into_client`]).
    pub fn header(self, key: &str, value: &str) -> Result<Client, InvalidHeader> {
        self.add_header(|h| h.append(key, value))
    }

    /// A binary (`-bin`) header sent with every call; refused as [`header`](Self::header).
    pub fn header_bin(self, key: &str, value: &[u8]) -> Result<Client, InvalidHeader> {
        self.add_header(|h| h.append_bin(key, value))
    }

    fn add_header(
        self,
        add: impl FnOnce(&mut MetadataMap) -> Result<(), InvalidMetadata>,
    ) -> Result<Client, InvalidHeader> {
        let mut headers = self.config.headers.clone();
        match add(&mut headers) {
            Ok(()) => Ok(self.with(|c| c.headers = headers)),
            Err(error) => Err(InvalidHeader {
                client: self,
                error,
            }),
        }
    }

    /// The headers sent with every call.
    pub fn headers(&self) -> &MetadataMap {
        &self.config.headers
    }

    /// The headers sent with every call, for changing in place (clones made earlier keep
    /// theirs): `client.headers_mut().insert("x-api-key", key)?`.
    pub fn headers_mut(&mut self) -> &mut MetadataMap {
        &mut Arc::make_mut(&mut self.config).headers
    }

    /// Adds an interceptor; interceptors run in the order they were added.
    pub fn interceptor(self, interceptor: impl Interceptor) -> Client {
        self.with(|c| {
            let mut all: Vec<Arc<dyn Interceptor>> = c.interceptors.to_vec();
            all.push(Arc::new(interceptor));
            c.interceptors = all.into();
        })
    }

    /// Compresses request messages with `compression` (`grpc-encoding`). The server must
    /// support it, or it answers `UNIMPLEMENTED`; a scheme this build lacks (see
    /// [`Compression::is_available`]) fails each call with `INTERNAL`.
    pub fn send_compressed(self, compression: Compression) -> Client {
        self.with(|c| c.send_compression = Some(compression))
    }

    /// Lets the server compress replies with `compression` (`grpc-accept-encoding`).
    /// Compressed replies are decoded whatever was announced, if the scheme is supported.
    /// A scheme this build lacks is not announced.
    pub fn accept_compressed(self, compression: Compression) -> Client {
        self.with(|c| {
            if !c.accept_compression.contains(&compression) {
                c.accept_compression.push(compression);
            }
        })
    }

    /// Largest reply message accepted, in bytes (after decompression). Default 4 MiB.
    pub fn max_decoding_message_size(self, bytes: usize) -> Client {
        self.with(|c| c.limits.max_message_size = bytes)
    }

    /// Largest request message sent, in bytes. Default 4 MiB.
    pub fn max_encoding_message_size(self, bytes: usize) -> Client {
        self.with(|c| c.max_send_message_size = bytes)
    }

    /// Largest trailer block, and largest set of response headers, accepted. Default 64 KiB.
    pub fn max_metadata_size(self, bytes: usize) -> Client {
        self.with(|c| {
            c.limits.max_trailers_size = bytes;
            c.limits.max_headers_size = bytes;
        })
    }

    /// Calls the unary method at `path` (`/package.Service/Method`).
    ///
    /// `request` is a message, or a [`Request`](crate::Request) with per-call options.
    /// Every failure, local or remote, is a [`Status`] with the code gRPC prescribes.
    pub async fn unary<Req, Resp>(
        &self,
        path: &str,
        request: impl IntoRequest<Req>,
    ) -> Result<Response<Resp>, Status>
    where
        Req: Message,
        Resp: Message + Default,
    {
        let request = encoded(request, self.config().max_send_message_size);
        call::unary(self, path, request, decode::<Resp>).await
    }

    /// Calls the server-streaming method at `path`; resolves once the reply's headers have
    /// arrived, with the [`Streaming`] of its messages.
    pub async fn server_streaming<Req, Resp>(
        &self,
        path: &str,
        request: impl IntoRequest<Req>,
    ) -> Result<Streaming<Resp>, Status>
    where
        Req: Message,
        Resp: Message + Default,
    {
        let request = encoded(request, self.config().max_send_message_size);
        let raw = call::start(self, path, request, Cardinality::Stream).await?;
        Ok(Streaming::new(raw, decode::<Resp>))
    }

    /// Calls the client-streaming method at `path`: sends every message of `request`'s
    /// stream, then waits for the one reply. The call goes over a WebSocket (the
    /// `grpc-websockets` protocol; the server must speak it, as the `grpc-websockets`
    /// crate makes any tonic server do); deadline, signals, metadata, interceptors and
    /// limits apply as to any call. Sending waits while the browser's socket buffer is full,
    /// so a fast stream does not grow memory.
    pub async fn client_streaming<R, Req, Resp>(
        &self,
        path: &str,
        request: R,
    ) -> Result<Response<Resp>, Status>
    where
        R: IntoStreamingRequest<Message = Req>,
        Req: Message + 'static,
        Resp: Message + Default,
    {
        let request = encoded_stream(request, self.config().max_send_message_size);
        let stream = crate::duplex::start(self, path, request, Cardinality::Unary).await?;
        call::finish_unary(stream, decode::<Resp>).await
    }

    /// Calls the bidirectional-streaming method at `path`: `request`'s messages are sent as
    /// they come while the replies arrive on the returned [`Streaming`], which resolves once
    /// the reply's headers arrived. Over a WebSocket, as
    /// [`client_streaming`](Self::client_streaming). Dropping the [`Streaming`] cancels the
    /// call, and the sending stops.
    pub async fn streaming<R, Req, Resp>(
        &self,
        path: &str,
        request: R,
    ) -> Result<Streaming<Resp>, Status>
    where
        R: IntoStreamingRequest<Message = Req>,
        Req: Message + 'static,
        Resp: Message + Default,
    {
        let request = encoded_stream(request, self.config().max_send_message_size);
        let raw = crate::duplex::start(self, path, request, Cardinality::Stream).await?;
        Ok(Streaming::new(raw, decode::<Resp>))
    }

    /// [`unary`](Self::unary) with the request and reply messages already serialized, for
    /// other protobuf libraries and adapters.
    pub async fn unary_raw(
        &self,
        path: &str,
        request: impl IntoRequest<Bytes>,
    ) -> Result<Response<Bytes>, Status> {
        call::unary(self, path, request.into_request().map(Ok), Ok).await
    }

    /// [`server_streaming`](Self::server_streaming) with serialized messages.
    pub async fn server_streaming_raw(
        &self,
        path: &str,
        request: impl IntoRequest<Bytes>,
    ) -> Result<Streaming<Bytes>, Status> {
        let request = request.into_request().map(Ok);
        let raw = call::start(self, path, request, Cardinality::Stream).await?;
        Ok(Streaming::new(raw, Ok))
    }

    /// [`client_streaming`](Self::client_streaming) with serialized messages.
    pub async fn client_streaming_raw<R>(
        &self,
        path: &str,
        request: R,
    ) -> Result<Response<Bytes>, Status>
    where
        R: IntoStreamingRequest<Message = Bytes>,
    {
        let stream = crate::duplex::start(
            self,
            path,
            raw_stream(request, self.config().max_send_message_size),
            Cardinality::Unary,
        )
        .await?;
        call::finish_unary(stream, Ok).await
    }

    /// [`streaming`](Self::streaming) with serialized messages.
    pub async fn streaming_raw<R>(&self, path: &str, request: R) -> Result<Streaming<Bytes>, Status>
    where
        R: IntoStreamingRequest<Message = Bytes>,
    {
        let raw = crate::duplex::start(
            self,
            path,
            raw_stream(request, self.config().max_send_message_size),
            Cardinality::Stream,
        )
        .await?;
        Ok(Streaming::new(raw, Ok))
    }
}

/// A stream of serialized messages, each checked against `max_len`.
fn raw_stream<R>(request: R, max_len: usize) -> Request<crate::duplex::Messages>
where
    R: IntoStreamingRequest<Message = Bytes>,
{
    request.into_streaming_request().map(|messages| {
        let messages = StreamMap {
            inner: Box::pin(messages),
            max_len,
            encode: serialized,
        };
        Box::pin(messages) as crate::duplex::Messages
    })
}

impl Client {
    /// A unary call with a serialized request whose reply message `decode` turns into `T`
    /// inside the call, so that interceptors see a failure to decode as the call's end.
    #[cfg(feature = "js-dynamic")]
    pub(crate) async fn unary_with<T>(
        &self,
        path: &str,
        request: crate::Request<Bytes>,
        decode: impl FnOnce(Bytes) -> Result<T, Status>,
    ) -> Result<Response<T>, Status> {
        call::unary(self, path, request.map(Ok), decode).await
    }
}

/// The request stream with each message serialized as it is sent, or `RESOURCE_EXHAUSTED`
/// for one over `max_len`, checked before it is encoded.
fn encoded_stream<R, T>(request: R, max_len: usize) -> Request<crate::duplex::Messages>
where
    R: IntoStreamingRequest<Message = T>,
    T: Message + 'static,
{
    request.into_streaming_request().map(|messages| {
        let messages = StreamMap {
            inner: Box::pin(messages),
            max_len,
            encode: encode_message::<T>,
        };
        Box::pin(messages) as crate::duplex::Messages
    })
}

/// Serializes each message of a request stream.
struct StreamMap<T> {
    inner: std::pin::Pin<Box<dyn futures_core::Stream<Item = T>>>,
    max_len: usize,
    encode: fn(T, usize) -> Result<Bytes, Status>,
}

impl<T> futures_core::Stream for StreamMap<T> {
    type Item = Result<Bytes, Status>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let (max_len, encode) = (self.max_len, self.encode);
        self.inner
            .as_mut()
            .poll_next(cx)
            .map(|item| item.map(|m| encode(m, max_len)))
    }
}

/// A message serialized, its size checked against `max_len` before anything is encoded.
fn encode_message<T: Message>(m: T, max_len: usize) -> Result<Bytes, Status> {
    let len = m.encoded_len();
    if len > max_len {
        Err(crate::protocol::request::too_large(len, max_len))
    } else {
        Ok(Bytes::from(m.encode_to_vec()))
    }
}

/// A message serialized already, its size checked against `max_len`.
fn serialized(m: Bytes, max_len: usize) -> Result<Bytes, Status> {
    if m.len() > max_len {
        Err(crate::protocol::request::too_large(m.len(), max_len))
    } else {
        Ok(m)
    }
}

/// The request with its message serialized, or `RESOURCE_EXHAUSTED` if it would exceed
/// `max_len`: the size is checked before anything is encoded.
fn encoded<T: Message>(request: impl IntoRequest<T>, max_len: usize) -> Outgoing {
    request.into_request().map(|m| {
        let len = m.encoded_len();
        if len > max_len {
            Err(crate::protocol::request::too_large(len, max_len))
        } else {
            Ok(Bytes::from(m.encode_to_vec()))
        }
    })
}

fn decode<T: Message + Default>(bytes: Bytes) -> Result<T, Status> {
    T::decode(bytes).map_err(undecodable)
}

/// Not generic, so one copy serves every message type.
fn undecodable(e: prost::DecodeError) -> Status {
    Status::new(
        Code::Internal,
        detail!(
            "failed to decode the response message",
            "failed to decode the response message: {e}"
        ),
    )
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.config;
        f.debug_struct("Client")
            .field("base_url", &c.base_url)
            .field("text", &c.text)
            .field("timeout", &c.timeout)
            .field("limits", &c.limits)
            .field("interceptors", &c.interceptors.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message that claims to be huge and must never be encoded.
    #[derive(Debug, Default)]
    struct Huge;

    impl Message for Huge {
        fn encode_raw(&self, _: &mut impl bytes::BufMut) {
            panic!("encoded despite exceeding the send limit");
        }
        fn merge_field(
            &mut self,
            _: u32,
            _: prost::encoding::WireType,
            _: &mut impl bytes::Buf,
            _: prost::encoding::DecodeContext,
        ) -> Result<(), prost::DecodeError> {
            Ok(())
        }
        fn encoded_len(&self) -> usize {
            usize::MAX / 2
        }
        fn clear(&mut self) {}
    }

    #[test]
    fn the_send_limit_is_checked_before_encoding() {
        let status = encoded(Huge, 4 << 20).message.unwrap_err();
        assert_eq!(status.code(), Code::ResourceExhausted);
        assert!(
            !cfg!(feature = "detailed-errors")
                || status
                    .message()
                    .contains(&format!("{} bytes", usize::MAX / 2)),
            "{status}"
        );
        let small = proto::demo::v1::UserRequest { user_id: 7 };
        assert_eq!(&encoded(small, 2).message.unwrap()[..], [0x08, 0x07]);
    }

    /// Frameworks keep shared state only if it is `Send + Sync` (Leptos' `provide_context`):
    /// a client with interceptors must stay so.
    #[test]
    fn a_client_with_interceptors_is_send_and_sync() {
        fn shareable<T: Send + Sync + 'static>(_: &T) {}
        let client =
            Client::new("https://api.example.com").interceptor(|_: &mut crate::RequestHead| Ok(()));
        shareable(&client);
    }
}
