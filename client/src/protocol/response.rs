//! What the response head (HTTP status, content type, headers) says before any body is read.
//!
//! A reply that is not gRPC-Web at all (a proxy's HTML error page, a 404 from a static file
//! server) becomes a clear [`Status`] here instead of a confusing frame error later.

use super::body::{BodyFormat, Limits};
use super::compression::Encoding;
use super::lossy::utf8_lossy;
use super::metadata::MetadataMap;
use super::quoted::Quoted;
use super::status::{Code, Status};

/// The content type this client sends and expects in binary mode.
pub const CONTENT_TYPE_PROTO: &str = "application/grpc-web+proto";
/// The content type of text mode (base64 bodies).
pub const CONTENT_TYPE_TEXT: &str = "application/grpc-web-text";

/// How much of a non-gRPC reply's body is read for [`excerpt`].
pub const EXCERPT_READ_BYTES: usize = 1024;
const EXCERPT_CHARS: usize = 200;

/// How the body of an accepted reply is to be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head {
    /// Frames follow, in this format: messages, then a trailer frame.
    Framed(BodyFormat),
    /// The status came in the headers ("trailers-only"); the body carries nothing more.
    TrailersOnly(Status),
}

/// Classifies a reply from its HTTP status, `content-type` and readable headers.
///
/// A reply without `grpc-status` that is not a 200 with a gRPC-Web content type did not come
/// from a gRPC-Web server; its error records the HTTP status (see [`Status::http_status`]),
/// and the caller may add an [`excerpt`] of the body.
pub fn check_head(
    http_status: u16,
    content_type: Option<&str>,
    headers: &MetadataMap,
    limits: &Limits,
) -> Result<Head, Status> {
    let size: usize = headers.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size > limits.max_headers_size {
        return Err(Status::new(
            Code::ResourceExhausted,
            format!(
                "response headers of {size} bytes exceed the limit of {} bytes",
                limits.max_headers_size
            ),
        ));
    }
    if let Some(status) = Status::from_metadata(headers) {
        return Ok(Head::TrailersOnly(status));
    }
    let described = match content_type {
        Some(ct) => format!("content-type {}", Quoted(ct)),
        None => "no content-type".to_owned(),
    };
    if http_status != 200 {
        let code = Code::from_http_status(http_status);
        return Err(Status::new(
            code,
            format!(
                "HTTP {http_status} with {described} and no grpc-status: the reply did not come from a gRPC-Web server (a proxy or the wrong URL?)"
            ),
        )
        .with_metadata(headers.clone())
        .with_http_reply(http_status, ""));
    }
    match content_type.and_then(grpc_web_mode) {
        Some(text) => Ok(Head::Framed(BodyFormat {
            text,
            encoding: Encoding::from_header(headers.get("grpc-encoding")),
        })),
        None => Err(Status::new(
            Code::Unknown,
            format!(
                "HTTP 200 with {described}, expected {CONTENT_TYPE_PROTO} or {CONTENT_TYPE_TEXT}: the reply did not come from a gRPC-Web server (a proxy or the wrong URL?)"
            ),
        )
        .with_metadata(headers.clone())
        .with_http_reply(http_status, "")),
    }
}

/// `Some(false)` for binary gRPC-Web (`application/grpc-web`, `+proto`), `Some(true)` for
/// text mode, with any parameters; `None` for anything else.
fn grpc_web_mode(content_type: &str) -> Option<bool> {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let is = |t: &str| essence.eq_ignore_ascii_case(t);
    if is("application/grpc-web") || is(CONTENT_TYPE_PROTO) {
        Some(false)
    } else if is(CONTENT_TYPE_TEXT) || is("application/grpc-web-text+proto") {
        Some(true)
    } else {
        None
    }
}

/// A short, single-line view of the start of a body, for error messages: invalid UTF-8
/// replaced, whitespace runs collapsed, cut at 200 characters.
pub fn excerpt(body: &[u8]) -> String {
    let text = utf8_lossy(&body[..body.len().min(EXCERPT_READ_BYTES)]);
    let mut out = String::new();
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    match out.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => {
            out.truncate(cut);
            out.push('…');
            out
        }
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_web_replies_are_framed() {
        let none = MetadataMap::new();
        for ct in [
            "application/grpc-web+proto",
            "application/grpc-web",
            "Application/GRPC-Web+proto; charset=utf-8",
        ] {
            assert_eq!(
                check_head(200, Some(ct), &none, &Limits::default()),
                Ok(Head::Framed(BodyFormat::default())),
                "{ct}"
            );
        }
    }

    #[test]
    fn status_in_headers_wins_over_everything() {
        let mut headers = MetadataMap::new();
        headers.push_received("grpc-status", "12");
        headers.push_received("grpc-message", "unknown method");
        let Ok(Head::TrailersOnly(s)) = check_head(200, None, &headers, &Limits::default()) else {
            panic!("expected trailers-only")
        };
        assert_eq!(s.code(), Code::Unimplemented);
        assert_eq!(s.message(), "unknown method");
        assert!(matches!(
            check_head(503, Some("text/html"), &headers, &Limits::default()),
            Ok(Head::TrailersOnly(_))
        ));
    }

    #[test]
    fn html_error_pages_map_from_the_http_status() {
        let none = MetadataMap::new();
        let s = check_head(502, Some("text/html"), &none, &Limits::default()).unwrap_err();
        assert_eq!(s.code(), Code::Unavailable);
        assert!(s.message().contains("HTTP 502"), "{}", s.message());
        assert!(s.message().contains("text/html"), "{}", s.message());
        assert_eq!(
            check_head(404, None, &none, &Limits::default())
                .unwrap_err()
                .code(),
            Code::Unimplemented
        );
    }

    #[test]
    fn wrong_content_type_on_200_is_unknown() {
        let none = MetadataMap::new();
        for ct in [
            Some("text/html; charset=utf-8"),
            Some("application/grpc"),
            None,
        ] {
            let s = check_head(200, ct, &none, &Limits::default()).unwrap_err();
            assert_eq!(s.code(), Code::Unknown, "{ct:?}");
            assert!(s.message().contains(CONTENT_TYPE_PROTO));
        }
    }

    #[test]
    fn text_mode_and_encoding_come_from_the_head() {
        let mut headers = MetadataMap::new();
        headers.push_received("grpc-encoding", "gzip");
        let head = check_head(
            200,
            Some("application/grpc-web-text+proto"),
            &headers,
            &Limits::default(),
        );
        assert_eq!(
            head,
            Ok(Head::Framed(BodyFormat {
                text: true,
                encoding: Encoding::Known(crate::protocol::compression::Compression::Gzip),
            }))
        );
    }

    #[test]
    fn oversized_headers_are_refused() {
        let mut headers = MetadataMap::new();
        headers.push_received("x-big", "a".repeat(100));
        let limits = Limits {
            max_headers_size: 50,
            ..Limits::default()
        };
        let s = check_head(200, Some(CONTENT_TYPE_PROTO), &headers, &limits).unwrap_err();
        assert_eq!(s.code(), Code::ResourceExhausted);
        assert!(s.message().contains("limit of 50 bytes"), "{s}");
    }

    #[test]
    fn excerpts_are_short_and_single_line() {
        assert_eq!(
            excerpt(b"<html>\n  <h1>502 Bad Gateway</h1>\n</html>"),
            "<html> <h1>502 Bad Gateway</h1> </html>"
        );
        let long = excerpt("é".repeat(500).as_bytes());
        assert_eq!(long.chars().count(), 201);
        assert_eq!(excerpt(&[0xff, b'a']), "\u{FFFD}a");
    }
}
