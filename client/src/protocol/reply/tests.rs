//! The reply state machine: every branch of the status table, and the same outcome for
//! any chunking of any reply.

use super::*;
use crate::protocol::frame::{encode_header, FLAG_TRAILERS};

const PROTO: &str = "application/grpc-web+proto";

fn frame(flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = encode_header(flags, payload.len()).to_vec();
    v.extend_from_slice(payload);
    v
}

fn trailer(block: &str) -> Vec<u8> {
    frame(FLAG_TRAILERS, block.as_bytes())
}

fn headers(pairs: &[(&str, &str)]) -> MetadataMap {
    let mut md = MetadataMap::new();
    for (k, v) in pairs {
        md.push_received(k, *v);
    }
    md
}

/// What a reply came to: its messages and its end.
type Outcome = (Vec<Bytes>, Result<MetadataMap, Status>);

/// Runs a reply through the decoder, its body cut at `cuts`.
fn run(
    status: u16,
    content_type: Option<&str>,
    head: &MetadataMap,
    cardinality: Cardinality,
    body: &[u8],
    cuts: &[usize],
) -> Outcome {
    let head = ReplyHead {
        status,
        content_type,
        headers: head,
    };
    let mut d = ReplyDecoder::new(&head, cardinality, Limits::default());
    let mut messages = Vec::new();
    let mut points: Vec<usize> = cuts.iter().map(|&c| c.min(body.len())).collect();
    points.extend([0, body.len()]);
    points.sort_unstable();
    let mut chunks = points.windows(2).map(|w| &body[w[0]..w[1]]);
    loop {
        while let Some(y) = d.next() {
            match y {
                Yield::Message(m) => messages.push(m),
                Yield::End(end) => {
                    assert!(d.next().is_none(), "nothing after the end");
                    return (messages, end);
                }
            }
        }
        match chunks.next() {
            Some(c) if d.wants_body() => d.push(c),
            Some(_) => {}
            None => d.end_of_body(),
        }
    }
}

fn unary(body: &[u8]) -> Outcome {
    run(
        200,
        Some(PROTO),
        &MetadataMap::new(),
        Cardinality::Unary,
        body,
        &[],
    )
}

fn code(outcome: &Outcome) -> Code {
    match &outcome.1 {
        Ok(_) => Code::Ok,
        Err(s) => s.code(),
    }
}

#[test]
fn a_unary_reply_yields_its_message_then_the_trailers() {
    let body = [frame(0, b"msg"), trailer("grpc-status:0\r\nx-t: 1\r\n")].concat();
    let (messages, end) = unary(&body);
    assert_eq!(messages, [Bytes::from_static(b"msg")]);
    assert_eq!(end.unwrap().get("x-t"), Some("1"));
}

#[test]
fn an_error_status_wins_over_a_message_and_keeps_the_trailers() {
    let body = [
        frame(0, b"msg"),
        trailer("grpc-status: 5\r\ngrpc-message: nope\r\nx-t: 1\r\n"),
    ]
    .concat();
    let (messages, end) = unary(&body);
    assert!(messages.is_empty(), "a failed unary call yields no message");
    let s = end.unwrap_err();
    assert_eq!((s.code(), s.message()), (Code::NotFound, "nope"));
    assert_eq!(s.metadata().get("x-t"), Some("1"));
}

#[test]
fn a_stream_yields_messages_before_its_error() {
    let body = [frame(0, b"a"), frame(0, b"b"), trailer("grpc-status: 13")].concat();
    let none = MetadataMap::new();
    let (messages, end) = run(200, Some(PROTO), &none, Cardinality::Stream, &body, &[]);
    assert_eq!(
        messages,
        [Bytes::from_static(b"a"), Bytes::from_static(b"b")]
    );
    assert_eq!(end.unwrap_err().code(), Code::Internal);
}

#[test]
fn unary_cardinality_violations_are_unimplemented() {
    let ok = trailer("grpc-status: 0\r\n");
    assert_eq!(code(&unary(&ok)), Code::Unimplemented);
    let two = [frame(0, b"a"), frame(0, b"b"), ok.clone()].concat();
    assert_eq!(code(&unary(&two)), Code::Unimplemented);
    // A stream may have none, or many.
    let none = MetadataMap::new();
    let stream = run(200, Some(PROTO), &none, Cardinality::Stream, &two, &[]);
    assert_eq!((stream.0.len(), code(&stream)), (2, Code::Ok));
}

#[test]
fn missing_status_is_unknown_and_broken_bodies_are_internal() {
    let cases: Vec<(&str, Vec<u8>, Code)> = vec![
        ("no trailers", frame(0, b"a"), Code::Internal),
        ("truncated", frame(0, b"abc")[..6].to_vec(), Code::Internal),
        (
            "after trailers",
            [trailer("grpc-status: 0"), frame(0, b"a")].concat(),
            Code::Internal,
        ),
        (
            "trailers without grpc-status",
            [frame(0, b"a"), trailer("grpc-message: error")].concat(),
            Code::Unknown,
        ),
        ("empty body, no header status", vec![], Code::Unknown),
        (
            "invalid grpc-status",
            trailer("grpc-status: 99"),
            Code::Unknown,
        ),
        ("malformed trailers", trailer("no colon"), Code::Internal),
    ];
    for (name, body, want) in cases {
        let outcome = unary(&body);
        assert_eq!(code(&outcome), want, "{name}: {:?}", outcome.1);
        assert!(outcome.0.is_empty(), "{name}");
    }
}

#[test]
fn trailers_only_replies_end_with_the_header_status() {
    let h = headers(&[
        ("grpc-status", "12"),
        ("grpc-message", "no%20such"),
        ("x-h", "1"),
    ]);
    let (_, end) = run(200, Some(PROTO), &h, Cardinality::Unary, &[], &[]);
    let s = end.unwrap_err();
    assert_eq!((s.code(), s.message()), (Code::Unimplemented, "no such"));
    assert_eq!(s.metadata().get("x-h"), Some("1"));

    // OK in the headers: a stream ends OK with them as trailers; a unary call lacks its message.
    let ok = headers(&[("grpc-status", "0")]);
    let stream = run(200, Some(PROTO), &ok, Cardinality::Stream, &[], &[]);
    assert_eq!(stream.1.unwrap().get("grpc-status"), Some("0"));
    let unary = run(200, Some(PROTO), &ok, Cardinality::Unary, &[], &[]);
    assert_eq!(code(&unary), Code::Unimplemented);

    // Whatever the content type or HTTP status, and whatever the body then holds.
    for (http, ct) in [
        (200, None),
        (200, Some("text/plain")),
        (503, Some("text/html")),
    ] {
        let outcome = run(http, ct, &h, Cardinality::Unary, b"<html>", &[]);
        assert_eq!(code(&outcome), Code::Unimplemented, "{http} {ct:?}");
    }
}

#[test]
fn a_body_overrides_the_header_status() {
    // Conformance: "ignore header if body present".
    let h = headers(&[("grpc-status", "8")]);
    let body = trailer("grpc-status: 9\r\n");
    let outcome = run(200, Some(PROTO), &h, Cardinality::Unary, &body, &[]);
    assert_eq!(code(&outcome), Code::FailedPrecondition);

    // Even an OK in the headers: the messages and the body's trailers decide.
    let h = headers(&[("grpc-status", "0")]);
    let body = [frame(0, b"a"), frame(0, b"b"), trailer("grpc-status: 2")].concat();
    let (messages, end) = run(200, Some(PROTO), &h, Cardinality::Stream, &body, &[]);
    assert_eq!(messages.len(), 2);
    assert_eq!(end.unwrap_err().code(), Code::Unknown);
}

#[test]
fn replies_not_from_grpc_web_map_the_http_status_and_quote_the_body() {
    let none = MetadataMap::new();
    let page = b"<html>\n  <h1>502 Bad Gateway</h1>\n</html>";
    let (_, end) = run(
        502,
        Some("text/html"),
        &none,
        Cardinality::Unary,
        page,
        &[3, 9],
    );
    let s = end.unwrap_err();
    assert_eq!(s.code(), Code::Unavailable);
    assert!(
        !cfg!(feature = "detailed-errors")
            || s.message().contains("HTTP 502") && s.message().contains("text/html"),
        "{s}"
    );
    assert_eq!(s.http_status(), Some(502));
    assert_eq!(
        s.body_excerpt(),
        Some("<html> <h1>502 Bad Gateway</h1> </html>")
    );

    let table = [
        (400, Code::Internal),
        (401, Code::Unauthenticated),
        (403, Code::PermissionDenied),
        (404, Code::Unimplemented),
        (429, Code::Unavailable),
        (503, Code::Unavailable),
        (504, Code::Unavailable),
        (500, Code::Unknown),
        // Only a 200 is a gRPC reply: other 2xx carry no gRPC status either.
        (204, Code::Unknown),
        (206, Code::Unknown),
    ];
    for (http, want) in table {
        let outcome = run(http, Some(PROTO), &none, Cardinality::Stream, b"", &[]);
        assert_eq!(code(&outcome), want, "HTTP {http}");
    }
    // A framed-looking body on a 206 is not read as frames.
    let body = [frame(0, b"a"), trailer("grpc-status: 0")].concat();
    let outcome = run(206, Some(PROTO), &none, Cardinality::Stream, &body, &[]);
    assert_eq!((outcome.0.len(), code(&outcome)), (0, Code::Unknown));

    for ct in [Some("text/html"), Some("application/grpc"), None] {
        let outcome = run(200, ct, &none, Cardinality::Unary, b"<p>", &[]);
        let s = outcome.1.unwrap_err();
        assert_eq!(s.code(), Code::Unknown, "{ct:?}");
        assert!(
            !cfg!(feature = "detailed-errors")
                || s.message()
                    .contains(crate::protocol::content_type::CONTENT_TYPE_PROTO)
        );
        assert_eq!(s.body_excerpt(), Some("<p>"));
    }
}

#[test]
fn excerpts_are_short_and_stop_reading_the_body() {
    let none = MetadataMap::new();
    let head = ReplyHead {
        status: 500,
        content_type: None,
        headers: &none,
    };
    let mut d = ReplyDecoder::new(&head, Cardinality::Unary, Limits::default());
    d.push(&[b'x'; 600]);
    assert!(d.next().is_none() && d.wants_body());
    d.push(&[b'y'; 600]);
    let Some(Yield::End(Err(s))) = d.next() else {
        panic!("ends once the excerpt is read")
    };
    assert!(!d.wants_body());
    assert_eq!(s.body_excerpt().map(|e| e.chars().count()), Some(201));
    assert_eq!(excerpt(&[0xff, b'a']), "\u{FFFD}a");
    // Cut after 200 characters, not bytes, multi-byte ones included.
    let wide = "é✓\u{1F600}".repeat(100);
    let cut: String = wide.chars().take(200).chain(['…']).collect();
    assert_eq!(excerpt(wide.as_bytes()), cut);
    assert_eq!(excerpt("é".repeat(200).as_bytes()), "é".repeat(200));
    assert_eq!(excerpt(b" a \t\r\n b "), "a b");
}

#[test]
fn oversized_headers_end_the_reply_at_once() {
    let h = headers(&[("x-big", &"a".repeat(100))]);
    let head = ReplyHead {
        status: 200,
        content_type: Some(PROTO),
        headers: &h,
    };
    let limits = Limits {
        max_headers_size: 50,
        ..Limits::default()
    };
    let mut d = ReplyDecoder::new(&head, Cardinality::Unary, limits);
    assert!(!d.wants_body());
    let Some(Yield::End(Err(s))) = d.next() else {
        panic!("no end")
    };
    assert_eq!(s.code(), Code::ResourceExhausted);
    assert!(
        !cfg!(feature = "detailed-errors") || s.message().contains("limit of 50 bytes"),
        "{s}"
    );
}

#[test]
fn nothing_is_taken_after_the_end() {
    let body = [frame(0, b"a"), frame(0, b"b")].concat();
    let none = MetadataMap::new();
    let head = ReplyHead {
        status: 200,
        content_type: Some(PROTO),
        headers: &none,
    };
    let mut d = ReplyDecoder::new(&head, Cardinality::Unary, Limits::default());
    d.push(&body);
    assert!(matches!(d.next(), Some(Yield::End(Err(_)))));
    assert!(!d.wants_body());
    d.push(&trailer("grpc-status: 0"));
    d.end_of_body();
    assert_eq!(d.next(), None);
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use proptest::prelude::*;

    use super::*;

    /// A reply a server or a proxy might send: any head, frames or garbage.
    fn reply() -> impl Strategy<Value = (u16, Option<&'static str>, MetadataMap, Vec<u8>)> {
        let status = prop::sample::select(vec![200u16, 200, 200, 204, 404, 502]);
        let ct = prop::sample::select(vec![Some(PROTO), Some(PROTO), Some("text/html"), None]);
        let header_status = prop::option::of(prop::sample::select(vec!["0", "5", "x"]));
        let messages = prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..4);
        let end = prop::sample::select(vec!["grpc-status: 0", "grpc-status: 3", "x: 1", ""]);
        let garbage = prop::collection::vec(any::<u8>(), 0..30);
        (
            status,
            ct,
            header_status,
            messages,
            end,
            garbage,
            any::<u8>(),
        )
            .prop_map(|(status, ct, hs, messages, end, garbage, shape)| {
                let mut body: Vec<u8> = messages.iter().flat_map(|m| frame(0, m)).collect();
                if !end.is_empty() {
                    body.extend(trailer(end));
                }
                match shape % 4 {
                    0 => body = garbage,
                    1 => body.truncate(body.len().saturating_sub(usize::from(shape) % 7)),
                    _ => {}
                }
                let mut h = MetadataMap::new();
                if let Some(s) = hs {
                    h.push_received("grpc-status", s);
                }
                (status, ct, h, body)
            })
    }

    proptest! {
        /// However the body is cut, a reply comes to the same messages and the same end.
        #[test]
        fn any_chunking_gives_the_same_outcome(
            (status, ct, h, body) in reply(),
            stream in any::<bool>(),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
        ) {
            let cardinality = if stream { Cardinality::Stream } else { Cardinality::Unary };
            let whole = run(status, ct, &h, cardinality, &body, &[]);
            let cuts: Vec<usize> = cuts.iter().map(|i| i.index(body.len() + 1)).collect();
            let cut = run(status, ct, &h, cardinality, &body, &cuts);
            prop_assert_eq!(&whole.0, &cut.0);
            match (&whole.1, &cut.1) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
                (Err(a), Err(b)) => {
                    prop_assert_eq!(a.code(), b.code());
                    prop_assert_eq!(a.message(), b.message());
                }
                (a, b) => prop_assert!(false, "{:?} vs {:?}", a, b),
            }
            if !stream {
                // A unary call yields its message only with an OK end.
                prop_assert_eq!(whole.0.len(), usize::from(whole.1.is_ok()));
            }
        }
    }
}

#[test]
fn only_a_framed_head_without_a_status_commits_the_call() {
    let commits = |status: u16, content_type: Option<&str>, pairs: &[(&str, &str)]| {
        let headers = headers(pairs);
        let head = ReplyHead {
            status,
            content_type,
            headers: &headers,
        };
        ReplyDecoder::new(&head, Cardinality::Unary, Limits::default()).headers_received()
    };
    let web = Some("application/grpc-web+proto");
    assert!(commits(200, web, &[]));
    // Without the feature `text-mode` a text reply is refused at its head.
    assert_eq!(
        commits(
            200,
            Some("application/grpc-web-text"),
            &[("x-served-by", "a")]
        ),
        cfg!(feature = "text-mode")
    );
    assert!(!commits(200, web, &[("grpc-status", "14")]));
    assert!(!commits(200, web, &[("grpc-status", "0")]));
    assert!(!commits(502, Some("text/html"), &[]));
    assert!(!commits(503, web, &[("grpc-status", "14")]));
    assert!(!commits(200, Some("text/html"), &[]));
}
