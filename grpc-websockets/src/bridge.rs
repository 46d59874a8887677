//! One socket, one call: the request metadata and messages from the client become a
//! native gRPC request to the wrapped service, and its reply goes back as the gRPC-Web
//! byte stream, trailers included.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use bytes::BytesMut;
use futures_util::{FutureExt, SinkExt, StreamExt};
use http::header::{CONTENT_TYPE, TE};
use http::{HeaderMap, HeaderValue, Method, Request, Response, Version};
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Mutex};
use tokio_stream::wrappers::ReceiverStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;
use tower_service::Service;

use crate::frames::{self, ClientMessage};
use crate::Config;

type Sink = futures_util::stream::SplitSink<WebSocketStream<TcpStream>, Message>;

/// The socket's sending half. A write that cannot complete within `timeout` (a peer that
/// stopped reading, its TCP window full) fails, and the call ends: a stalled reader holds
/// one message and its connection for at most that long.
struct Writer {
    sink: Mutex<Sink>,
    timeout: std::time::Duration,
}

/// Headers the browser's WebSocket or the gRPC-Web client sets that a native gRPC request
/// must not carry; the bridge sets its own.
const REQUEST_HEADERS_SKIPPED: &[&str] = &[
    "content-type",
    "content-length",
    "x-grpc-web",
    "te",
    "host",
    "connection",
    "upgrade",
];

/// Status metadata, which goes in the trailer frame.
const STATUS_KEYS: &[&str] = &["grpc-status", "grpc-message", "grpc-status-details-bin"];

/// Serves one call on `ws`, for the method at `path`.
pub(crate) async fn serve<S, B>(
    ws: WebSocketStream<TcpStream>,
    path: String,
    service: S,
    config: Config,
) where
    S: Service<Request<tonic::body::Body>, Response = Response<B>> + Send + 'static,
    S::Future: Send,
    S::Error: std::fmt::Display + Send,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: std::fmt::Display + Send,
{
    let (sink, mut source) = ws.split();
    let sink = Arc::new(Writer {
        sink: Mutex::new(sink),
        timeout: config.write_timeout,
    });
    let first = tokio::time::timeout(config.first_message_timeout, source.next()).await;
    let headers = match first {
        Ok(Some(Ok(Message::Binary(block)))) => frames::request_headers(&block),
        Ok(Some(Ok(Message::Text(block)))) => frames::request_headers(block.as_bytes()),
        Ok(_) => return,
        Err(_) => Err("no request metadata in time".into()),
    };
    let headers = match headers {
        Ok(headers) => headers,
        Err(why) => {
            let trailers = error_trailers(tonic::Code::InvalidArgument, &why);
            if finish(&sink, false, &trailers).await.is_ok() {
                await_peer_close(&mut source).await;
            }
            return;
        }
    };

    let (tx, rx) = mpsc::channel::<Result<Frame<Bytes>, Infallible>>(config.max_buffered_messages);
    let request = native_request(&path, headers, rx);
    let head_sent = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let closed_here = {
        let call = respond(service, request, sink.clone(), head_sent.clone());
        tokio::pin!(call);
        let reader = read_client(&mut source, tx, &sink, config.keepalive);
        tokio::pin!(reader);
        let shutdown = config.shutdown.clone();
        tokio::select! {
            () = &mut call => true,
            // The client went away (or broke the protocol): dropping the call cancels it.
            () = &mut reader => false,
            () = async { match &shutdown { Some(s) => s.cancelled().await, None => std::future::pending().await } } => {
                let sent = head_sent.load(std::sync::atomic::Ordering::SeqCst);
                let trailers = error_trailers(tonic::Code::Unavailable, "the server is shutting down");
                finish(&sink, sent, &trailers).await.is_ok()
            }
        }
    };
    if closed_here {
        await_peer_close(&mut source).await;
    }
}

/// How long a peer has to answer our Close frame before the socket is dropped anyway.
const CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// After our Close frame: reads, and drops, whatever the peer still sends until its Close,
/// so that the socket is closed with nothing unread. Closed with unread bytes (a request the
/// call never read, a half-close arriving late), the kernel resets the connection and
/// discards what it has not sent yet: the trailer frame and our Close, which a browser then
/// reports as an abnormal closure (1006) with no status.
async fn await_peer_close<R>(source: &mut R)
where
    R: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let _ = tokio::time::timeout(CLOSE_WAIT, async {
        while let Some(Ok(message)) = source.next().await {
            if let Message::Close(_) = message {
                break;
            }
        }
    })
    .await;
}

/// Forwards the client's messages into the request body until it half-closes (the body
/// ends) and then watches for the socket to go; returns when it has, or when it stayed
/// silent through a keepalive ping.
async fn read_client<R>(
    source: &mut R,
    tx: mpsc::Sender<Result<Frame<Bytes>, Infallible>>,
    sink: &Writer,
    keepalive: std::time::Duration,
) where
    R: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let mut tx = Some(tx);
    let mut pinged = false;
    loop {
        let message = match tokio::time::timeout(keepalive, source.next()).await {
            Ok(Some(Ok(message))) => message,
            Ok(_) => return,
            Err(_) if pinged => {
                tracing::debug!("grpc-websockets: the peer did not answer a ping");
                return;
            }
            Err(_) => {
                pinged = true;
                // A reply being written holds the sink; then the write itself tells whether
                // the peer is there, and no ping is needed.
                if let Ok(mut sink) = sink.sink.try_lock() {
                    if sink.send(Message::Ping(Bytes::new())).await.is_err() {
                        return;
                    }
                }
                continue;
            }
        };
        // Anything from the peer, a pong included, shows it is there.
        pinged = false;
        let bytes = match message {
            Message::Binary(bytes) => bytes,
            Message::Close(_) => return,
            _ => continue,
        };
        match frames::client_message(bytes) {
            Ok(ClientMessage::Data(frame)) => match &tx {
                // A full channel waits here: the socket is not read, and TCP pushes back.
                Some(sender) if sender.send(Ok(Frame::data(frame))).await.is_ok() => {}
                Some(_) => tx = None,
                None => return,
            },
            Ok(ClientMessage::HalfClose) => tx = None,
            Err(_) => return,
        }
    }
}

fn native_request(
    path: &str,
    headers: HeaderMap,
    body: mpsc::Receiver<Result<Frame<Bytes>, Infallible>>,
) -> Request<tonic::body::Body> {
    let body = tonic::body::Body::new(StreamBody::new(ReceiverStream::new(body)));
    let mut request = Request::new(body);
    *request.method_mut() = Method::POST;
    *request.version_mut() = Version::HTTP_2;
    *request.uri_mut() = path.parse().unwrap_or_default();
    let h = request.headers_mut();
    for (name, value) in &headers {
        if !REQUEST_HEADERS_SKIPPED.contains(&name.as_str()) {
            h.append(name, value.clone());
        }
    }
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    h.insert(TE, HeaderValue::from_static("trailers"));
    request
}

/// Calls the service and writes its reply: the head frame, the data, the trailer frame.
async fn respond<S, B>(
    mut service: S,
    request: Request<tonic::body::Body>,
    sink: Arc<Writer>,
    head_sent: Arc<std::sync::atomic::AtomicBool>,
) where
    S: Service<Request<tonic::body::Body>, Response = Response<B>>,
    S::Error: std::fmt::Display + Send,
    B: http_body::Body<Data = Bytes>,
    B::Error: std::fmt::Display + Send,
{
    let response = match std::future::poll_fn(|cx| service.poll_ready(cx)).await {
        Ok(()) => service.call(request).await,
        Err(e) => Err(e),
    };
    let response = match response {
        Ok(response) => response,
        Err(e) => {
            let _ = finish(
                &sink,
                false,
                &error_trailers(tonic::Code::Internal, &e.to_string()),
            )
            .await;
            return;
        }
    };
    let (parts, body) = response.into_parts();
    let (status, head): (HeaderMap, HeaderMap) = parts
        .headers
        .into_iter()
        .filter_map(|(k, v)| k.map(|k| (k, v)))
        .partition(|(k, _)| STATUS_KEYS.contains(&k.as_str()));
    let mut head: HeaderMap = head;
    head.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/grpc-web+proto"),
    );
    if send(&sink, frames::header_frame(frames::entries(&head)))
        .await
        .is_err()
    {
        return;
    }
    head_sent.store(true, std::sync::atomic::Ordering::SeqCst);
    if !status.is_empty() {
        // A trailers-only reply: its status goes in the trailer frame.
        let _ = finish(&sink, true, &status).await;
        return;
    }
    let mut body = std::pin::pin!(body);
    // A frame met while coalescing that is not data: handled on the next turn.
    let mut held = None;
    loop {
        let item = match held.take() {
            Some(item) => item,
            None => body.frame().await,
        };
        match item {
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => {
                    let data = coalesce(data, body.as_mut(), &mut held);
                    if send(&sink, data).await.is_err() {
                        return;
                    }
                }
                Err(frame) => {
                    let trailers = frame.into_trailers().unwrap_or_default();
                    let _ = finish(&sink, true, &trailers).await;
                    return;
                }
            },
            Some(Err(e)) => {
                let _ = finish(
                    &sink,
                    true,
                    &error_trailers(tonic::Code::Internal, &e.to_string()),
                )
                .await;
                return;
            }
            None => {
                let trailers = error_trailers(
                    tonic::Code::Internal,
                    "the service ended its reply without a status",
                );
                let _ = finish(&sink, true, &trailers).await;
                return;
            }
        }
    }
}

/// Socket messages are filled up to this from data the service already has ready.
const COALESCE: usize = 64 * 1024;

/// `data` and whatever data frames `body` has ready at once, up to [`COALESCE`] bytes, as
/// one socket message: each message costs the browser an event and a crossing into the
/// page's code, so a stream of small replies goes out in fewer. Never waits; a frame that is
/// not data (trailers, an error, the end) is left in `held`.
fn coalesce<B>(
    data: Bytes,
    mut body: std::pin::Pin<&mut B>,
    held: &mut Option<Option<Result<Frame<Bytes>, B::Error>>>,
) -> Bytes
where
    B: http_body::Body<Data = Bytes>,
{
    if data.len() >= COALESCE {
        return data;
    }
    let mut batch: Option<BytesMut> = None;
    while batch.as_ref().map_or(data.len(), BytesMut::len) < COALESCE {
        match body.frame().now_or_never() {
            None => break,
            Some(Some(Ok(frame))) if frame.is_data() => {
                let more = frame.into_data().unwrap_or_default();
                batch
                    .get_or_insert_with(|| BytesMut::from(&data[..]))
                    .extend_from_slice(&more);
            }
            Some(other) => {
                *held = Some(other);
                break;
            }
        }
    }
    batch.map_or(data, BytesMut::freeze)
}

async fn send(sink: &Writer, data: Bytes) -> Result<(), ()> {
    sink.write(&[Message::Binary(data)]).await
}

/// Writes the head frame if it has not gone yet, then the trailer frame, then closes.
async fn finish(sink: &Writer, head_sent: bool, trailers: &HeaderMap) -> Result<(), ()> {
    let status = trailers.get("grpc-status").and_then(|s| s.to_str().ok());
    tracing::info!(grpc_status = status.unwrap_or("?"), "call ended");
    let mut messages = Vec::with_capacity(3);
    if !head_sent {
        let head = [("content-type", &b"application/grpc-web+proto"[..])];
        messages.push(Message::Binary(frames::header_frame(head)));
    }
    messages.push(Message::Binary(frames::header_frame(frames::entries(
        trailers,
    ))));
    messages.push(Message::Close(Some(CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    })));
    sink.write(&messages).await
}

impl Writer {
    /// Sends `messages` in order, all within the write timeout.
    async fn write(&self, messages: &[Message]) -> Result<(), ()> {
        let write = async {
            let mut sink = self.sink.lock().await;
            for message in messages {
                sink.send(message.clone()).await.map_err(|_| ())?;
            }
            Ok(())
        };
        match tokio::time::timeout(self.timeout, write).await {
            Ok(done) => done,
            Err(_) => {
                tracing::debug!("grpc-websockets: a write stalled past the timeout");
                Err(())
            }
        }
    }
}

/// Trailers for a status the bridge itself decides: `grpc-status` and `grpc-message`,
/// encoded by tonic as for any other reply.
fn error_trailers(code: tonic::Code, message: &str) -> HeaderMap {
    let mut trailers = HeaderMap::new();
    let _ = tonic::Status::new(code, message).add_header(&mut trailers);
    trailers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_data_frames_go_out_together_and_the_rest_waits() {
        let frames: Vec<Result<Frame<Bytes>, Infallible>> = vec![
            Ok(Frame::data(Bytes::from_static(b"b"))),
            Ok(Frame::data(Bytes::from_static(b"c"))),
            Ok(Frame::trailers(HeaderMap::new())),
            Ok(Frame::data(Bytes::from_static(b"d"))),
        ];
        let body = StreamBody::new(futures_util::stream::iter(frames));
        let mut body = std::pin::pin!(body);
        let mut held = None;
        let out = coalesce(Bytes::from_static(b"a"), body.as_mut(), &mut held);
        assert_eq!(&out[..], b"abc");
        assert!(matches!(held, Some(Some(Ok(ref f))) if f.is_trailers()));

        // Nothing ready: the data goes alone, as it came.
        let pending = StreamBody::new(futures_util::stream::pending::<
            Result<Frame<Bytes>, Infallible>,
        >());
        let mut pending = std::pin::pin!(pending);
        let mut held = None;
        let out = coalesce(Bytes::from_static(b"x"), pending.as_mut(), &mut held);
        assert_eq!(&out[..], b"x");
        assert!(held.is_none());
    }

    #[test]
    fn error_trailers_carry_the_code_and_the_encoded_message() {
        let t = error_trailers(tonic::Code::Unavailable, "shutting down: 100% sure");
        assert_eq!(t["grpc-status"], "14");
        assert_eq!(t["grpc-message"], "shutting%20down:%20100%25%20sure");
    }
}
