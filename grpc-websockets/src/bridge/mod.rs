//! One socket, one call: the request metadata and messages from the client become a
//! native gRPC request to the wrapped service, and its reply goes back as the gRPC-Web
//! byte stream, trailers included.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http::header::{CONTENT_TYPE, TE};
use http::{HeaderMap, HeaderValue, Method, Request, Response, Version};
use http_body::Frame;
use http_body_util::StreamBody;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Mutex};
use tokio_stream::wrappers::ReceiverStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;
use tower_service::Service;

use crate::frames::{self, ClientMessage};
use crate::Config;

mod reply;

use reply::{error_trailers, finish, respond, Writer};

type Sink = futures_util::stream::SplitSink<WebSocketStream<TcpStream>, Message>;

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
