//! The reply as tonic reads it: messages framed again as gRPC data frames, then the status
//! as HTTP trailers (or, for a call that failed before any reply, in the headers).

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use send_wrapper::SendWrapper;

use crate::protocol::frame;
use crate::protocol::metadata::MetadataMap;
use crate::protocol::status::{percent_encode, Code, Status};
use crate::Streaming;

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
pub(super) fn copy_metadata(metadata: &MetadataMap, headers: &mut HeaderMap) {
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
pub(super) fn trailers_only(status: &Status) -> http::Response<tonic::body::Body> {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    status_headers(status, &mut headers);
    response(headers, ReplyBody::new(None))
}

pub(super) fn response(headers: HeaderMap, body: ReplyBody) -> http::Response<tonic::body::Body> {
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
pub(super) struct ReplyBody {
    stream: Option<SendWrapper<Streaming<Bytes>>>,
    /// A message whose header has gone out and which is next.
    pending: Option<Bytes>,
}

impl ReplyBody {
    pub(super) fn new(stream: Option<SendWrapper<Streaming<Bytes>>>) -> ReplyBody {
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
    use http_body::Body as _;

    use super::*;
    #[test]
    fn a_failed_call_is_a_trailers_only_response_tonic_reads_back() {
        // As received: the server's trailers, status included.
        let mut metadata = MetadataMap::new();
        metadata.push_received("grpc-status", "5");
        metadata.push_received("x-reason", "quota");
        metadata.push_received("grpc-status-details-bin", "CAU");
        let status =
            Status::new(Code::NotFound, "user 42 not found: 100% sure").carrying_metadata(metadata);
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
}
