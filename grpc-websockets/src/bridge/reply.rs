//! The reply side of a bridged call: the service's response, written to the socket as the
//! gRPC-Web byte stream (head frame, data, trailer frame), each write bounded in time.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures_util::{FutureExt, SinkExt};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, Request, Response};
use http_body::Frame;
use http_body_util::BodyExt;
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tower_service::Service;

use super::Sink;
use crate::frames;

/// The socket's sending half. A write that cannot complete within `timeout` (a peer that
/// stopped reading, its TCP window full) fails, and the call ends: a stalled reader holds
/// one message and its connection for at most that long.
pub(super) struct Writer {
    pub(super) sink: Mutex<Sink>,
    pub(super) timeout: std::time::Duration,
}

/// Status metadata, which goes in the trailer frame.
const STATUS_KEYS: &[&str] = &["grpc-status", "grpc-message", "grpc-status-details-bin"];

/// Calls the service and writes its reply: the head frame, the data, the trailer frame.
pub(super) async fn respond<S, B>(
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
pub(super) async fn finish(sink: &Writer, head_sent: bool, trailers: &HeaderMap) -> Result<(), ()> {
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
pub(super) fn error_trailers(code: tonic::Code, message: &str) -> HeaderMap {
    let mut trailers = HeaderMap::new();
    let _ = tonic::Status::new(code, message).add_header(&mut trailers);
    trailers
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use http_body_util::StreamBody;

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
