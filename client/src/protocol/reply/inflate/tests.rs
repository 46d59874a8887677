//! Compressed frames handed up to an outside codec: order, the one end, limits, misuse.
//! The "codec" here is a stand-in: the tests decide what each frame inflates to.

use bytes::Bytes;

use crate::protocol::frame::{encode_header, FLAG_COMPRESSED, FLAG_TRAILERS};
use crate::protocol::limits::Limits;
use crate::protocol::metadata::MetadataMap;
use crate::protocol::reply::{Cardinality, ReplyDecoder, ReplyHead, Yield};
use crate::protocol::status::{Code, Status};

fn frame(flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = encode_header(flags, payload.len()).to_vec();
    v.extend_from_slice(payload);
    v
}

fn decoder(encoding: &str, cardinality: Cardinality, limits: Limits) -> ReplyDecoder {
    let mut headers = MetadataMap::new();
    headers.push_received("grpc-encoding", encoding);
    let head = ReplyHead {
        status: 200,
        content_type: Some("application/grpc-web+proto"),
        headers: &headers,
    };
    let mut d = ReplyDecoder::new(&head, cardinality, limits);
    d.inflate_outside();
    d
}

/// What the decoder yields until it needs something: messages as text, then "end: ..."
/// or "inflate: ..." for a frame handed up.
fn drain(d: &mut ReplyDecoder) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        match d.next() {
            Some(Yield::Message(m)) => out.push(String::from_utf8_lossy(&m).into_owned()),
            Some(Yield::End(Ok(t))) => out.push(format!("end: ok {:?}", t.get("x-t"))),
            Some(Yield::End(Err(s))) => out.push(format!("end: {:?} {}", s.code(), s.message())),
            None => {
                if let Some(c) = d.take_compressed() {
                    let payload = String::from_utf8_lossy(&c.payload).into_owned();
                    out.push(format!("inflate: {} {payload} {}", c.what(), c.limit));
                }
                return out;
            }
        }
    }
}

#[test]
fn frames_wait_for_their_inflation_in_order_and_the_end_comes_last() {
    let mut d = decoder("gzip", Cardinality::Stream, Limits::default());
    let mut body = frame(0, b"one");
    body.extend(frame(FLAG_COMPRESSED, b"z-two"));
    body.extend(frame(0, b"three"));
    body.extend(frame(FLAG_TRAILERS | FLAG_COMPRESSED, b"z-trailers"));
    d.push(&body);
    d.end_of_body();
    let limit = Limits::default().max_message_size;
    assert_eq!(
        drain(&mut d),
        ["one".to_string(), format!("inflate: message z-two {limit}")]
    );
    // Nothing moves until the result is back, the end of the body notwithstanding.
    assert_eq!(drain(&mut d), Vec::<String>::new());
    d.inflated(Ok(Bytes::from_static(b"two")));
    let trailers_limit = Limits::default().max_trailers_size;
    assert_eq!(
        drain(&mut d),
        [
            "two".to_string(),
            "three".into(),
            format!("inflate: trailer block z-trailers {trailers_limit}")
        ]
    );
    d.inflated(Ok(Bytes::from_static(b"grpc-status: 0\r\nx-t: packed\r\n")));
    assert_eq!(drain(&mut d), ["end: ok Some(\"packed\")"]);
    assert!(d.next().is_none());
}

#[test]
fn a_failed_inflation_ends_the_reply_after_the_messages_before_it() {
    let mut d = decoder("gzip", Cardinality::Stream, Limits::default());
    let mut body = frame(0, b"one");
    body.extend(frame(FLAG_COMPRESSED, b"bomb"));
    body.extend(frame(0, b"never"));
    d.push(&body);
    assert_eq!(drain(&mut d).len(), 2);
    d.inflated(Err(Status::new(Code::ResourceExhausted, "too big")));
    assert_eq!(drain(&mut d), ["end: ResourceExhausted too big"]);
    assert!(d.next().is_none() && d.take_compressed().is_none());
}

#[test]
fn the_core_holds_the_result_to_the_limit_itself() {
    let limits = Limits {
        max_message_size: 4,
        ..Limits::default()
    };
    let mut d = decoder("gzip", Cardinality::Stream, limits);
    d.push(&frame(FLAG_COMPRESSED, b"z"));
    assert_eq!(drain(&mut d), ["inflate: message z 4"]);
    d.inflated(Ok(Bytes::from_static(b"12345")));
    let end = drain(&mut d);
    assert!(
        end.len() == 1 && end[0].starts_with("end: ResourceExhausted"),
        "{end:?}"
    );
    if cfg!(feature = "detailed-errors") {
        assert_eq!(
            end[0],
            "end: ResourceExhausted decompressed message exceeds the limit of 4 bytes"
        );
    }
}

#[test]
fn a_unary_reply_keeps_its_inflated_message_until_the_end() {
    let mut d = decoder("gzip", Cardinality::Unary, Limits::default());
    let mut body = frame(FLAG_COMPRESSED, b"z");
    body.extend(frame(FLAG_TRAILERS, b"grpc-status: 0\r\n"));
    d.push(&body);
    d.end_of_body();
    assert_eq!(drain(&mut d).len(), 1);
    d.inflated(Ok(Bytes::from_static(b"only")));
    assert_eq!(drain(&mut d), ["only", "end: ok None"]);

    // A second message, inflated or not, is still the cardinality error.
    let mut d = decoder("gzip", Cardinality::Unary, Limits::default());
    let mut body = frame(0, b"first");
    body.extend(frame(FLAG_COMPRESSED, b"z"));
    d.push(&body);
    assert_eq!(drain(&mut d).len(), 1);
    d.inflated(Ok(Bytes::from_static(b"second")));
    let end = drain(&mut d);
    assert!(end[0].starts_with("end: Unimplemented"), "{end:?}");
}

#[test]
fn only_known_schemes_are_handed_up() {
    for (encoding, expect) in [("identity", "no grpc-encoding"), ("snappy", "\"snappy\"")] {
        let mut d = decoder(encoding, Cardinality::Stream, Limits::default());
        d.push(&frame(FLAG_COMPRESSED, b"z"));
        let out = drain(&mut d);
        assert!(
            out.len() == 1
                && out[0].starts_with("end: Internal")
                && (!cfg!(feature = "detailed-errors") || out[0].contains(expect)),
            "{out:?}"
        );
    }
}

#[test]
fn results_nobody_asked_for_are_ignored() {
    let mut d = decoder("gzip", Cardinality::Stream, Limits::default());
    d.inflated(Ok(Bytes::from_static(b"stray")));
    d.push(&frame(0, b"one"));
    assert_eq!(drain(&mut d), ["one"]);
    // Bytes that are not a trailer block fail as plain ones do.
    d.push(&frame(FLAG_TRAILERS | FLAG_COMPRESSED, b"z"));
    assert_eq!(drain(&mut d).len(), 1);
    d.inflated(Ok(Bytes::from_static(b"\xff\x00 not a header")));
    let end = drain(&mut d);
    assert!(end[0].starts_with("end: Internal"), "{end:?}");
}
