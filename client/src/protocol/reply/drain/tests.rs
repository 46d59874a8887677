//! Draining a stream's messages in batches comes to what yielding them one by one does:
//! the same messages in the same order, then the same end, however the body is cut, in
//! text mode, with compressed frames in the way, and with bad frames.

use bytes::Bytes;

use crate::protocol::frame::{encode_header, FLAG_TRAILERS};
use crate::protocol::limits::Limits;
use crate::protocol::metadata::MetadataMap;
use crate::protocol::reply::{Cardinality, ReplyDecoder, ReplyHead, Yield};
use crate::protocol::status::{Code, Status};

fn frame(flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = encode_header(flags, payload.len()).to_vec();
    v.extend_from_slice(payload);
    v
}

fn decoder(text: bool, cardinality: Cardinality, limits: Limits) -> ReplyDecoder {
    let mut headers = MetadataMap::new();
    headers.push_received("grpc-encoding", "gzip");
    let content_type = if text {
        "application/grpc-web-text+proto"
    } else {
        "application/grpc-web+proto"
    };
    let head = ReplyHead {
        status: 200,
        content_type: Some(content_type),
        headers: &headers,
    };
    let mut d = ReplyDecoder::new(&head, cardinality, limits);
    // A stand-in codec below "inflates" a frame to its own bytes, so compressed frames
    // stop a drain whatever this build's codec is.
    d.inflate_outside();
    d
}

/// One message at a time, or in batches.
type Run = (Vec<Bytes>, Result<MetadataMap, (Code, String)>, usize);

/// Runs `chunks` through a decoder, draining before each `next()` if `draining`: the
/// messages, the end, and how many drains took messages.
fn run(mut d: ReplyDecoder, chunks: &[&[u8]], draining: bool) -> Run {
    let mut chunks = chunks.iter();
    let mut messages = Vec::new();
    let mut drains = 0;
    let mut bounds = Vec::new();
    loop {
        if draining {
            let taken = d.drain_messages(&mut bounds, |bytes, bounds| {
                bounds
                    .chunks(2)
                    .map(|b| Bytes::copy_from_slice(&bytes[b[0] as usize..b[1] as usize]))
                    .collect::<Vec<_>>()
            });
            if let Some(taken) = taken {
                assert!(!taken.is_empty(), "a drain takes at least one message");
                drains += 1;
                messages.extend(taken);
                continue;
            }
        }
        match d.next() {
            Some(Yield::Message(m)) => messages.push(m),
            Some(Yield::End(end)) => {
                assert!(d.next().is_none(), "nothing after the end");
                let end = end.map_err(|s: Status| (s.code(), s.message().to_string()));
                return (messages, end, drains);
            }
            None => match d.take_compressed() {
                Some(c) => d.inflated(Ok(c.payload)),
                None => match chunks.next() {
                    Some(c) => d.push(c),
                    None => d.end_of_body(),
                },
            },
        }
    }
}

fn both(text: bool, cardinality: Cardinality, limits: Limits, chunks: &[&[u8]]) -> (Run, Run) {
    (
        run(decoder(text, cardinality, limits), chunks, false),
        run(decoder(text, cardinality, limits), chunks, true),
    )
}

#[test]
fn messages_and_the_trailers_in_one_chunk_drain_then_end() {
    let mut body: Vec<u8> = [&b"a"[..], b"", b"bc"]
        .iter()
        .flat_map(|m| frame(0, m))
        .collect();
    body.extend(frame(FLAG_TRAILERS, b"grpc-status: 0\r\n"));
    let (one, batched) = both(false, Cardinality::Stream, Limits::default(), &[&body]);
    assert_eq!(one.0, batched.0);
    assert_eq!(batched.0.len(), 3);
    assert!(batched.1.is_ok(), "{:?}", batched.1);
    assert_eq!(batched.2, 1, "one drain for the chunk");
}

#[test]
fn a_message_after_the_trailers_is_refused_not_drained() {
    let trailers = frame(FLAG_TRAILERS, b"grpc-status: 0\r\n");
    let late = frame(0, b"late");
    let (one, batched) = both(
        false,
        Cardinality::Stream,
        Limits::default(),
        &[&trailers, &late],
    );
    assert_eq!((&one.0, &one.1), (&batched.0, &batched.1));
    assert!(batched.0.is_empty());
    assert_eq!(batched.1.unwrap_err().0, Code::Internal);
}

#[test]
fn a_unary_reply_never_drains() {
    let mut body = frame(0, b"a");
    body.extend(frame(FLAG_TRAILERS, b"grpc-status: 0\r\n"));
    let (one, batched) = both(false, Cardinality::Unary, Limits::default(), &[&body]);
    assert_eq!(one, batched);
    assert_eq!(batched.2, 0);
}

#[test]
fn an_oversized_frame_after_messages_ends_the_reply_after_them() {
    let limits = Limits {
        max_message_size: 4,
        ..Limits::default()
    };
    let mut body = frame(0, b"ok");
    body.extend([0, 0xff, 0xff, 0xff, 0xff]);
    let (one, batched) = both(false, Cardinality::Stream, limits, &[&body]);
    assert_eq!((&one.0, &one.1), (&batched.0, &batched.1));
    assert_eq!(batched.0, [Bytes::from_static(b"ok")]);
    assert_eq!(batched.1.unwrap_err().0, Code::ResourceExhausted);
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use super::*;
    use crate::protocol::base64;
    use crate::protocol::frame::FLAG_COMPRESSED;
    use proptest::prelude::*;

    proptest! {
        /// However the body is cut, in either mode, batches and single steps agree.
        #[test]
        fn draining_gives_what_next_gives(
            frames in prop::collection::vec(
                (prop::sample::select(vec![0u8, 0, 0, 0, FLAG_COMPRESSED, 0x42]),
                 prop::collection::vec(any::<u8>(), 0..40)),
                0..10),
            end in prop::sample::select(vec!["grpc-status: 0\r\n", "grpc-status: 9\r\n", ""]),
            after in prop::collection::vec(any::<u8>(), 0..7),
            text in any::<bool>(),
            limit in 0usize..50,
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
        ) {
            let text = text && cfg!(feature = "text-mode");
            let mut body: Vec<u8> = frames.iter().flat_map(|(f, p)| frame(*f, p)).collect();
            if !end.is_empty() {
                body.extend(frame(FLAG_TRAILERS, end.as_bytes()));
            }
            body.extend(after);
            if text {
                body = base64::encode(&body, true).into_bytes();
            }
            let mut points: Vec<usize> = cuts.iter().map(|i| i.index(body.len() + 1)).collect();
            points.extend([0, body.len()]);
            points.sort_unstable();
            let chunks: Vec<&[u8]> = points.windows(2).map(|w| &body[w[0]..w[1]]).collect();
            let limits = Limits { max_message_size: limit, ..Limits::default() };
            let (one, batched) = both(text, Cardinality::Stream, limits, &chunks);
            prop_assert_eq!(&one.0, &batched.0);
            prop_assert_eq!(&one.1, &batched.1);
        }
    }
}
