//! A request to a method that takes one message (unary and server-streaming) must carry
//! exactly one. gRPC's status code table names a second one a cardinality violation,
//! answered `UNIMPLEMENTED`; tonic would read the first and silently drop the rest, so
//! this layer counts the gRPC frames of such requests and fails the body at the start of
//! a second one, which tonic then answers with that status.
//!
//! Which methods take one message is read from the services' descriptors, so a new
//! method is covered without a list to keep up to date. It sits inside the gRPC-Web
//! translation, so it counts the same frames in binary and text mode.

use std::collections::HashSet;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use prost::Message;
use tower::{Layer, Service};

/// Boxed error of a request body.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The status a second request message gets.
pub const SECOND_MESSAGE: &str =
    "more than one request message for a method that takes one (cardinality violation)";

/// Adds [`SingleMessage`] to a service.
#[derive(Debug, Clone)]
pub struct SingleMessageLayer {
    paths: Arc<HashSet<String>>,
}

impl SingleMessageLayer {
    /// Checks the methods of `descriptor_sets` (encoded `FileDescriptorSet`s) whose
    /// requests are not streams.
    pub fn from_descriptors(descriptor_sets: &[&[u8]]) -> Result<Self, prost::DecodeError> {
        let mut paths = HashSet::new();
        for set in descriptor_sets {
            for file in prost_types::FileDescriptorSet::decode(*set)?.file {
                let prefix = match file.package() {
                    "" => String::new(),
                    package => format!("{package}."),
                };
                for service in &file.service {
                    for method in service.method.iter().filter(|m| !m.client_streaming()) {
                        paths.insert(format!("/{prefix}{}/{}", service.name(), method.name()));
                    }
                }
            }
        }
        Ok(SingleMessageLayer {
            paths: Arc::new(paths),
        })
    }
}

impl<S> Layer<S> for SingleMessageLayer {
    type Service = SingleMessage<S>;

    fn layer(&self, inner: S) -> SingleMessage<S> {
        SingleMessage {
            inner,
            paths: self.paths.clone(),
        }
    }
}

/// The service [`SingleMessageLayer`] makes.
#[derive(Debug, Clone)]
pub struct SingleMessage<S> {
    inner: S,
    paths: Arc<HashSet<String>>,
}

impl<S, B> Service<http::Request<B>> for SingleMessage<S>
where
    S: Service<http::Request<OneMessage<B>>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> S::Future {
        let single = self.paths.contains(request.uri().path());
        self.inner.call(request.map(|inner| OneMessage {
            inner,
            frames: single.then(FrameCounter::default),
        }))
    }
}

pin_project! {
    /// A request body that fails at the start of a second gRPC frame, when it is one
    /// that must carry a single message.
    pub struct OneMessage<B> {
        #[pin]
        inner: B,
        frames: Option<FrameCounter>,
    }
}

impl<B> Body for OneMessage<B>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.project();
        let frame = match std::task::ready!(this.inner.poll_frame(cx)) {
            Some(Ok(frame)) => frame,
            Some(Err(e)) => return Poll::Ready(Some(Err(e.into()))),
            None => return Poll::Ready(None),
        };
        if let (Some(counter), Some(data)) = (this.frames.as_mut(), frame.data_ref()) {
            if counter.feed(data) > 1 {
                let status = tonic::Status::unimplemented(SECOND_MESSAGE);
                return Poll::Ready(Some(Err(Box::new(status))));
            }
        }
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Counts the gRPC frames (a flags byte, a 4-byte length, the payload) begun in a byte
/// stream that arrives in arbitrary chunks.
#[derive(Debug, Default)]
struct FrameCounter {
    frames: usize,
    header: [u8; 5],
    header_len: usize,
    payload_left: u64,
}

impl FrameCounter {
    /// Takes the next chunk; returns the number of frames begun so far.
    fn feed(&mut self, mut chunk: &[u8]) -> usize {
        while !chunk.is_empty() {
            if self.payload_left > 0 {
                let skip = chunk.len().min(self.payload_left as usize);
                self.payload_left -= skip as u64;
                chunk = &chunk[skip..];
                continue;
            }
            if self.header_len == 0 {
                self.frames += 1;
            }
            let take = chunk.len().min(5 - self.header_len);
            self.header[self.header_len..self.header_len + take].copy_from_slice(&chunk[..take]);
            self.header_len += take;
            chunk = &chunk[take..];
            if self.header_len == 5 {
                let len = u32::from_be_bytes([
                    self.header[1],
                    self.header[2],
                    self.header[3],
                    self.header[4],
                ]);
                self.payload_left = u64::from(len);
                self.header_len = 0;
            }
        }
        self.frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_counted_across_any_chunking() {
        let mut body = vec![0, 0, 0, 0, 3, b'a', b'b', b'c'];
        body.extend_from_slice(&[0, 0, 0, 0, 0]); // an empty frame
        body.extend_from_slice(&[1, 0, 0, 0, 1, b'z']);
        for size in 1..=body.len() {
            let mut counter = FrameCounter::default();
            let counts: Vec<usize> = body.chunks(size).map(|c| counter.feed(c)).collect();
            assert_eq!(counts.last(), Some(&3), "chunks of {size}");
            let mut one = FrameCounter::default();
            assert_eq!(one.feed(&body[..8]), 1);
        }
    }

    #[test]
    fn unary_and_server_streaming_methods_take_one_message() {
        let layer = SingleMessageLayer::from_descriptors(&[proto::FILE_DESCRIPTOR_SET]).unwrap();
        for single in [
            "/demo.v1.UserService/GetUser",
            "/demo.v1.ChatService/Subscribe",
            "/grpc.testing.TestService/StreamingOutputCall",
        ] {
            assert!(layer.paths.contains(single), "{single}");
        }
        for streamed in [
            "/grpc.testing.TestService/StreamingInputCall",
            "/grpc.testing.TestService/FullDuplexCall",
        ] {
            assert!(!layer.paths.contains(streamed), "{streamed}");
        }
    }
}
