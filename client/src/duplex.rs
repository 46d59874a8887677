//! Client-streaming and bidirectional calls: over a WebSocket (the `grpc-websockets`
//! protocol), since `fetch` cannot stream a request body. The reply goes through the same
//! [`ReplyDecoder`] and [`RawStream`] as a `fetch` reply; only the transport differs.

use std::pin::Pin;
use std::rc::{Rc, Weak};

use bytes::Bytes;
use futures_core::Stream;

use crate::call::CallGuard;
use crate::client::Client;
use crate::protocol::reply::{Cardinality, ReplyDecoder, ReplyHead};
use crate::protocol::request::{self, Wire};
use crate::protocol::status::Status;
use crate::protocol::websocket::{self, HeadDecoder};
use crate::request::Request;
use crate::streaming::{RawStream, Source};
use crate::transport::{Abort, Socket};

/// The request messages of a streaming call, serialized (or why one could not be).
pub(crate) type Messages = Pin<Box<dyn Stream<Item = Result<Bytes, Status>>>>;

/// Something that can be sent as a request stream: a [`Stream`] of messages, or a
/// [`Request`] holding one (for metadata, a deadline or a signal).
///
/// ```no_run
/// # async fn run(client: grpc_web_wasm::Client) -> Result<(), grpc_web_wasm::Status> {
/// use futures_util::stream;
/// use proto::grpc::testing::{StreamingInputCallRequest, StreamingInputCallResponse};
///
/// let requests = stream::iter(vec![StreamingInputCallRequest::default(); 3]);
/// let reply = client
///     .client_streaming::<_, _, StreamingInputCallResponse>(
///         "/grpc.testing.TestService/StreamingInputCall",
///         requests,
///     )
///     .await?;
/// # Ok(()) }
/// ```
///
/// Sealed: only this crate implements it.
///
/// ```compile_fail,E0277
/// use grpc_web_wasm::{IntoStreamingRequest, Request};
///
/// struct Mine;
/// impl IntoStreamingRequest for Mine {
///     type Stream = futures_util::stream::Empty<u32>;
///     type Message = u32;
///     fn into_streaming_request(self) -> Request<Self::Stream> {
///         Request::new(futures_util::stream::empty())
///     }
/// }
/// ```
pub trait IntoStreamingRequest: crate::sealed::IntoStreamingRequest {
    /// The stream of messages.
    type Stream: Stream<Item = Self::Message> + 'static;
    /// One request message.
    type Message;
    /// Wraps or unwraps into a [`Request`].
    fn into_streaming_request(self) -> Request<Self::Stream>;
}

impl<S: Stream + 'static> IntoStreamingRequest for S {
    type Stream = S;
    type Message = S::Item;
    fn into_streaming_request(self) -> Request<S> {
        Request::new(self)
    }
}

impl<S: Stream + 'static> IntoStreamingRequest for Request<S> {
    type Stream = S;
    type Message = S::Item;
    fn into_streaming_request(self) -> Request<S> {
        self
    }
}

/// Opens the call's socket, starts sending `request`'s messages, and returns once the
/// reply's head has arrived.
pub(crate) async fn start(
    client: &Client,
    path: &str,
    request: Request<Messages>,
    cardinality: Cardinality,
) -> Result<RawStream, Status> {
    let mut guard = CallGuard::new(client, path);
    match open(client, path, request, cardinality).await {
        Ok((headers, reply, socket)) => Ok(RawStream::new(
            headers,
            reply,
            Source::Socket(socket),
            guard,
        )),
        Err(status) => {
            guard.end(&status);
            Err(status)
        }
    }
}

async fn open(
    client: &Client,
    path: &str,
    request: Request<Messages>,
    cardinality: Cardinality,
) -> Result<(crate::MetadataMap, ReplyDecoder, Rc<Socket>), Status> {
    let config = client.config();
    let head = crate::call::request_head(client, path, &request)?;
    let url = request::method_url(&config.base_url, path)?;
    // Binary frames only: a socket carries bytes, and no proxy rewrites them.
    let wire = Wire {
        text: false,
        timeout: head.timeout,
        send_compression: config.send_compression,
        accept_compression: config.accept_compression.clone(),
        previous_attempts: 0,
    };
    let header_message = websocket::header_message(&request::headers(&wire, &[&head.metadata]));
    let abort = Abort::new(head.timeout, &request.signals)?;
    let socket = Rc::new(Socket::open(&url, abort)?);
    wasm_bindgen_futures::spawn_local(pump(
        Rc::downgrade(&socket),
        header_message,
        request.message,
        wire,
        config.max_send_message_size,
    ));

    let mut decoder = HeadDecoder::new();
    let (headers, rest) = loop {
        let message = std::future::poll_fn(|cx| socket.poll_message(cx)).await?;
        let Some(message) = message else {
            return Err(Status::new(
                crate::Code::Unavailable,
                "the server closed the WebSocket before its reply's headers",
            ));
        };
        // Only the head is copied out here; the body goes through `push_chunk` once.
        if let Some(done) = decoder.push(&message.to_vec(), &config.limits)? {
            break done;
        }
    };
    let mut reply = ReplyDecoder::new(
        &ReplyHead {
            status: 200,
            content_type: headers.get("content-type"),
            headers: &headers,
        },
        cardinality,
        config.limits,
    );
    reply.push(&rest);
    Ok((headers, reply, socket))
}

/// Sends the metadata, then each message as it comes, then the half-close, waiting while
/// the browser's buffer is full. Stops when the call is gone (the socket dropped).
async fn pump(
    socket: Weak<Socket>,
    header: Vec<u8>,
    mut messages: Messages,
    wire: Wire,
    max: usize,
) {
    if send(&socket, &header).await.is_err() {
        return;
    }
    loop {
        let next = std::future::poll_fn(|cx| messages.as_mut().poll_next(cx)).await;
        let Some(item) = next else { break };
        let body = match item {
            Ok(bytes) => crate::transport::request_body(&wire, &bytes, max).await,
            Err(status) => Err(status),
        };
        let framed = body.and_then(|body| match body {
            request::Body::Binary(frame) => Ok(frame),
            request::Body::Text(_) => unreachable_text(),
        });
        match framed {
            Ok(frame) => {
                // A failed send means the call is over; its reader reports how.
                if send(&socket, &websocket::data_message(&frame))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            Err(status) => {
                if let Some(socket) = socket.upgrade() {
                    socket.fail(status);
                }
                return;
            }
        }
    }
    let _ = send(&socket, &websocket::HALF_CLOSE).await;
}

fn unreachable_text() -> Result<Vec<u8>, Status> {
    Err(Status::new(
        crate::Code::Internal,
        "a socket call framed as text",
    ))
}

async fn send(socket: &Weak<Socket>, bytes: &[u8]) -> Result<(), Status> {
    let gone = || Status::new(crate::Code::Cancelled, "the call ended");
    std::future::poll_fn(|cx| match socket.upgrade() {
        Some(s) => s.poll_writable(cx),
        None => std::task::Poll::Ready(Err(gone())),
    })
    .await?;
    socket.upgrade().ok_or_else(gone)?.send(bytes)
}
