//! The call machinery: [`Request`] and [`Response`], and a call from request to reply
//! stream. Framing and status rules live in [`crate::protocol`]; bytes move through
//! [`crate::transport`].

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use web_sys::AbortSignal;

use crate::client::Client;
use crate::interceptor::{CallEnd, Interceptor, RequestHead};
use crate::protocol::body::{BodyDecoder, UnaryReply};
use crate::protocol::metadata::MetadataMap;
use crate::protocol::request::{self, Wire};
use crate::protocol::response::{self, Head, EXCERPT_READ_BYTES};
use crate::protocol::status::{Code, Status};
use crate::streaming::RawStream;
use crate::transport::{self, Abort, BodyReader};

/// A request message with its per-call options: metadata sent as headers, a deadline, and
/// a cancellation signal.
///
/// ```
/// use std::time::Duration;
/// use grpc_web_wasm::Request;
/// use proto::demo::v1::UserRequest;
///
/// let mut request = Request::new(UserRequest { user_id: 1 });
/// request.metadata_mut().insert("x-request-id", "42").unwrap();
/// request.set_timeout(Duration::from_secs(2));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Request<T> {
    message: T,
    metadata: MetadataMap,
    timeout: Option<Duration>,
    signal: Option<AbortSignal>,
}

impl<T> Request<T> {
    /// A request with no metadata, the client's default deadline, and no signal.
    pub fn new(message: T) -> Request<T> {
        Request {
            message,
            metadata: MetadataMap::new(),
            timeout: None,
            signal: None,
        }
    }

    /// The message.
    pub fn get_ref(&self) -> &T {
        &self.message
    }

    /// The message, for changing.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.message
    }

    /// The metadata to send.
    pub fn metadata(&self) -> &MetadataMap {
        &self.metadata
    }

    /// The metadata to send, for adding entries.
    pub fn metadata_mut(&mut self) -> &mut MetadataMap {
        &mut self.metadata
    }

    /// Sets this call's deadline, overriding the client's default. It is sent to the server
    /// as `grpc-timeout` and enforced here: when it passes, the request is aborted and the
    /// call fails with `DEADLINE_EXCEEDED`.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = Some(timeout);
    }

    /// This call's own deadline, if set.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Cancels the call when `signal` aborts (`CANCELLED`); see also
    /// [`CancelHandle`](crate::CancelHandle).
    pub fn set_signal(&mut self, signal: AbortSignal) {
        self.signal = Some(signal);
    }

    /// The message, dropping the options.
    pub fn into_inner(self) -> T {
        self.message
    }

    /// The same options with the message transformed.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Request<U> {
        Request {
            message: f(self.message),
            metadata: self.metadata,
            timeout: self.timeout,
            signal: self.signal,
        }
    }
}

/// Something that can be sent as a request: a bare message or a [`Request`].
pub trait IntoRequest<T> {
    /// Wraps or unwraps into a [`Request`].
    fn into_request(self) -> Request<T>;
}

impl<T: prost::Message> IntoRequest<T> for T {
    fn into_request(self) -> Request<T> {
        Request::new(self)
    }
}

impl<T> IntoRequest<T> for Request<T> {
    fn into_request(self) -> Request<T> {
        self
    }
}

/// A reply message with the headers and trailers that came with it.
#[derive(Debug, Clone, Default)]
pub struct Response<T> {
    message: T,
    headers: MetadataMap,
    trailers: MetadataMap,
}

impl<T> Response<T> {
    /// The message.
    pub fn get_ref(&self) -> &T {
        &self.message
    }

    /// The message, dropping the metadata.
    pub fn into_inner(self) -> T {
        self.message
    }

    /// Response headers the browser exposes (CORS limits which).
    pub fn headers(&self) -> &MetadataMap {
        &self.headers
    }

    /// The trailers, `grpc-status` included.
    pub fn trailers(&self) -> &MetadataMap {
        &self.trailers
    }

    /// The same metadata with the message transformed.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            message: f(self.message),
            headers: self.headers,
            trailers: self.trailers,
        }
    }
}

/// Reports a call's end to the client's interceptors exactly once; a call dropped before
/// its end reports `CANCELLED`.
pub(crate) struct CallGuard {
    interceptors: Arc<[Arc<dyn Interceptor>]>,
    path: String,
    started: f64,
    ended: bool,
}

impl CallGuard {
    pub(crate) fn end(&mut self, status: &Status) {
        if std::mem::replace(&mut self.ended, true) {
            return;
        }
        // Whole microseconds: `as` saturates (a clock step back gives zero), and unlike
        // `from_secs_f64` it links no panic path.
        let elapsed = Duration::from_micros(((now_ms() - self.started) * 1000.0) as u64);
        let end = CallEnd {
            path: &self.path,
            status,
            elapsed,
        };
        for i in self.interceptors.iter() {
            i.on_end(&end);
        }
    }
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        if !self.ended && !self.interceptors.is_empty() {
            self.end(&Status::new(Code::Cancelled, "call dropped before its end"));
        }
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Sends a request whose message is already serialized, and returns the reply as a stream
/// of events once its head has arrived.
pub(crate) async fn start(
    client: &Client,
    path: &str,
    request: Request<Bytes>,
) -> Result<RawStream, Status> {
    let config = client.config();
    let mut guard = CallGuard {
        interceptors: config.interceptors.clone(),
        path: path.to_owned(),
        started: now_ms(),
        ended: false,
    };
    match send(client, path, request).await {
        Ok((reply_headers, head, body)) => Ok(RawStream::new(reply_headers, head, body, guard)),
        Err(status) => {
            guard.end(&status);
            Err(status)
        }
    }
}

async fn send(
    client: &Client,
    path: &str,
    request: Request<Bytes>,
) -> Result<(MetadataMap, Head, Option<Body>), Status> {
    let config = client.config();
    let mut metadata = config.headers.clone();
    metadata.extend_from(&request.metadata);
    let mut head = RequestHead {
        path: path.to_owned(),
        metadata,
        timeout: request.timeout.or(config.timeout),
    };
    for i in config.interceptors.iter() {
        i.on_request(&mut head)?;
    }

    let url = request::method_url(&config.base_url, path)?;
    let wire = Wire {
        text: config.text,
        timeout: head.timeout,
        send_compression: config.send_compression,
        accept_compression: config.accept_compression.clone(),
    };
    let body = request::body(&wire, &request.message, config.max_send_message_size)?;
    let headers = request::headers(&wire, &[&head.metadata]);
    let abort = Abort::new(head.timeout, request.signal.as_ref())?;
    let mut reply = transport::send(&url, &headers, &body, config.credentials, abort).await?;

    match response::check_head(
        reply.status,
        reply.content_type.as_deref(),
        &reply.headers,
        &config.limits,
    ) {
        Ok(Head::Framed(format)) => {
            let decoder = BodyDecoder::with_format(config.limits, format.clone());
            Ok((
                reply.headers,
                Head::Framed(format),
                Some((reply.body, decoder)),
            ))
        }
        Ok(head @ Head::TrailersOnly(_)) => Ok((reply.headers, head, None)),
        Err(status) if status.http_status().is_some() => {
            let start = read_start(&mut reply.body).await;
            Err(status.with_http_reply(reply.status, response::excerpt(&start)))
        }
        Err(status) => Err(status),
    }
}

/// A framed reply's body and the decoder it goes through.
pub(crate) type Body = (BodyReader, BodyDecoder);

/// The first bytes of a body that is not gRPC-Web, for the error message; failures to read
/// it are ignored, as the call has already failed.
async fn read_start(body: &mut BodyReader) -> Vec<u8> {
    let mut start = Vec::new();
    while start.len() < EXCERPT_READ_BYTES {
        match body.next_chunk().await {
            Ok(Some(chunk)) => {
                let take = (chunk.length() as usize).min(EXCERPT_READ_BYTES - start.len());
                let at = start.len();
                start.resize(at + take, 0);
                chunk.subarray(0, take as u32).copy_to(&mut start[at..]);
            }
            _ => break,
        }
    }
    start
}

/// A unary call: one message back, then an OK status.
pub(crate) async fn unary(
    client: &Client,
    path: &str,
    request: Request<Bytes>,
) -> Result<Response<Bytes>, Status> {
    let mut stream = start(client, path, request).await?;
    let mut reply = UnaryReply::new();
    let outcome = async {
        while let Some(event) = stream.next_event().await? {
            reply.on_event(event)?;
        }
        reply.finish()
    }
    .await;
    match outcome {
        Ok((message, trailers)) => {
            stream.end(&Status::new(Code::Ok, "").with_metadata(trailers.clone()));
            Ok(Response {
                message,
                headers: stream.headers().clone(),
                trailers,
            })
        }
        Err(status) => {
            stream.end(&status);
            Err(status)
        }
    }
}
