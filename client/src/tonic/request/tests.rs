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
