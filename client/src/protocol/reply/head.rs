//! What a reply's head (HTTP status, content type, headers) decides before any body is read,
//! following gRPC's HTTP mapping: a reply is framed gRPC-Web only as a 200 with a gRPC-Web
//! content type; a `grpc-status` header is the status of any other reply (and of a 200
//! whose body turns out empty); and a reply with neither did not come from a gRPC-Web
//! server at all, so its code comes from the HTTP status and its error quotes the body.

use crate::protocol::body::BodyFormat;
use crate::protocol::compression::Encoding;
use crate::protocol::content_type::{grpc_web_mode, CONTENT_TYPE_PROTO, CONTENT_TYPE_TEXT};
use crate::protocol::detail::detail;
use crate::protocol::limits::Limits;
use crate::protocol::lossy::utf8_lossy;
use crate::protocol::metadata::MetadataMap;
use crate::protocol::quoted::Quoted;
use crate::protocol::status::{Code, Status};

/// How much of a non-gRPC reply's body is kept for its error's excerpt.
pub const EXCERPT_READ_BYTES: usize = 1024;
const EXCERPT_CHARS: usize = 200;

/// The head of a reply, as the transport read it.
#[derive(Debug, Clone, Copy)]
pub struct ReplyHead<'a> {
    /// The HTTP status code.
    pub status: u16,
    /// The `content-type` header, if the page may read it.
    pub content_type: Option<&'a str>,
    /// Every header the page may read (CORS decides which).
    pub headers: &'a MetadataMap,
}

/// How to go on once the head is read.
#[derive(Debug)]
pub(super) enum Start {
    /// Frames follow. The headers' own `grpc-status`, if any, ends the reply only if the
    /// body turns out empty (a trailers-only reply); with a body, the body decides.
    Framed(BodyFormat, Option<Status>),
    /// The status is in the headers and the body does not count.
    TrailersOnly(Status),
    /// Not gRPC-Web: this error, once the start of the body is read for its excerpt.
    NotGrpcWeb(Status),
    /// Refused outright.
    Failed(Status),
}

pub(super) fn classify(head: &ReplyHead<'_>, limits: &Limits) -> Start {
    let size: usize = head.headers.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size > limits.max_headers_size {
        return Start::Failed(Status::new(
            Code::ResourceExhausted,
            detail!(
                "response headers over the limit",
                "response headers of {size} bytes exceed the limit of {} bytes",
                limits.max_headers_size
            ),
        ));
    }
    let header_status = Status::from_metadata(head.headers);
    let mode = head.content_type.and_then(grpc_web_mode);
    match (head.status, mode, header_status) {
        (200, Some(true), _) if !cfg!(feature = "text-mode") => {
            Start::Failed(crate::protocol::text::unavailable())
        }
        (200, Some(text), header_status) => Start::Framed(
            BodyFormat {
                text,
                encoding: Encoding::from_header(head.headers.get("grpc-encoding")),
            },
            header_status,
        ),
        (_, _, Some(status)) => Start::TrailersOnly(status),
        (200, None, None) => Start::NotGrpcWeb(not_grpc_web(
            head,
            Code::Unknown,
            detail!(
                "not a gRPC-Web reply: HTTP 200 with the wrong content-type",
                "HTTP 200 with {}, expected {CONTENT_TYPE_PROTO} or {CONTENT_TYPE_TEXT}: {NOT_GRPC_WEB}",
                described(head.content_type)
            ),
        )),
        // gRPC's HTTP mapping: only a 200 is a gRPC reply, so a 204 or 206 is UNKNOWN too.
        (http, _, None) => Start::NotGrpcWeb(not_grpc_web(
            head,
            Code::from_http_status(http),
            detail!(
                "not a gRPC-Web reply: HTTP error without grpc-status",
                "HTTP {http} with {} and no grpc-status: {NOT_GRPC_WEB}",
                described(head.content_type)
            ),
        )),
    }
}

fn described(content_type: Option<&str>) -> String {
    match content_type {
        Some(ct) => format!("content-type {}", Quoted(ct)),
        None => "no content-type".to_owned(),
    }
}

/// Why a reply that is not gRPC-Web failed, in the detailed messages.
const NOT_GRPC_WEB: &str =
    "the reply did not come from a gRPC-Web server (a proxy or the wrong URL?)";

fn not_grpc_web(head: &ReplyHead<'_>, code: Code, message: String) -> Status {
    Status::new(code, message)
        .carrying_metadata(head.headers.clone())
        .with_http_reply(head.status, "")
}

/// A short, single-line view of the start of a body, for error messages: invalid UTF-8
/// replaced, runs of ASCII whitespace collapsed (the `char` tables Unicode's would link
/// are not worth it for an excerpt), cut at 200 characters.
pub fn excerpt(body: &[u8]) -> String {
    let text = utf8_lossy(&body[..body.len().min(EXCERPT_READ_BYTES)]);
    // Plain loops over bytes: iterator adapters here (`split_ascii_whitespace`, `bytes`,
    // `char_indices`) were each linked as functions of their own, and dropping or adding
    // only ASCII bytes keeps the text valid UTF-8.
    let text = text.as_bytes();
    let mut out = Vec::with_capacity(text.len());
    let (mut at, mut space) = (0, false);
    while at < text.len() {
        let b = text[at];
        if b.is_ascii_whitespace() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(b' ');
                space = false;
            }
            out.push(b);
        }
        at += 1;
    }
    // Where character EXCERPT_CHARS + 1 starts: at its lead byte (any but 0b10xxxxxx).
    let (mut at, mut chars, mut cut) = (0, 0, None);
    while at < out.len() {
        if out[at] & 0xC0 != 0x80 {
            if chars == EXCERPT_CHARS {
                cut = Some(at);
                break;
            }
            chars += 1;
        }
        at += 1;
    }
    if let Some(cut) = cut {
        out.truncate(cut);
        out.extend_from_slice("…".as_bytes());
    }
    String::from_utf8(out).unwrap_or_default()
}
