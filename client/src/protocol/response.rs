//! What the response head (HTTP status, content type, headers) says before any body is read.
//!
//! A reply that is not gRPC-Web at all (a proxy's HTML error page, a 404 from a static file
//! server) becomes a clear [`Status`] here instead of a confusing frame error later.

use super::metadata::MetadataMap;
use super::status::{Code, Status};

/// The content type this client sends and expects in binary mode.
pub const CONTENT_TYPE_PROTO: &str = "application/grpc-web+proto";

/// How the body of an accepted reply is to be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head {
    /// Frames follow: messages, then a trailer frame.
    Framed,
    /// The status came in the headers ("trailers-only"); the body carries nothing more.
    TrailersOnly(Status),
}

/// Classifies a reply from its HTTP status, `content-type` and readable headers.
pub fn check_head(
    http_status: u16,
    content_type: Option<&str>,
    headers: &MetadataMap,
) -> Result<Head, Status> {
    if let Some(status) = Status::from_metadata(headers) {
        return Ok(Head::TrailersOnly(status));
    }
    let described = match content_type {
        Some(ct) => format!("content-type {ct:?}"),
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
        .with_metadata(headers.clone()));
    }
    if content_type.is_some_and(is_grpc_web_proto) {
        Ok(Head::Framed)
    } else {
        Err(Status::new(
            Code::Unknown,
            format!(
                "HTTP 200 with {described}, expected {CONTENT_TYPE_PROTO}: the reply did not come from a gRPC-Web server (a proxy or the wrong URL?)"
            ),
        )
        .with_metadata(headers.clone()))
    }
}

/// `application/grpc-web` or `application/grpc-web+proto`, with any parameters.
fn is_grpc_web_proto(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/grpc-web")
        || essence.eq_ignore_ascii_case(CONTENT_TYPE_PROTO)
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
            assert_eq!(check_head(200, Some(ct), &none), Ok(Head::Framed), "{ct}");
        }
    }

    #[test]
    fn status_in_headers_wins_over_everything() {
        let mut headers = MetadataMap::new();
        headers.push_received("grpc-status", "12");
        headers.push_received("grpc-message", "unknown method");
        let Ok(Head::TrailersOnly(s)) = check_head(200, None, &headers) else {
            panic!("expected trailers-only")
        };
        assert_eq!(s.code(), Code::Unimplemented);
        assert_eq!(s.message(), "unknown method");
        assert!(matches!(
            check_head(503, Some("text/html"), &headers),
            Ok(Head::TrailersOnly(_))
        ));
    }

    #[test]
    fn html_error_pages_map_from_the_http_status() {
        let none = MetadataMap::new();
        let s = check_head(502, Some("text/html"), &none).unwrap_err();
        assert_eq!(s.code(), Code::Unavailable);
        assert!(s.message().contains("HTTP 502"), "{}", s.message());
        assert!(s.message().contains("text/html"), "{}", s.message());
        assert_eq!(
            check_head(404, None, &none).unwrap_err().code(),
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
            let s = check_head(200, ct, &none).unwrap_err();
            assert_eq!(s.code(), Code::Unknown, "{ct:?}");
            assert!(s.message().contains(CONTENT_TYPE_PROTO));
        }
    }
}
