//! The content types of gRPC-Web, and telling them apart from everything else.

/// The content type this client sends and expects in binary mode.
pub const CONTENT_TYPE_PROTO: &str = "application/grpc-web+proto";
/// The content type of text mode (base64 bodies).
pub const CONTENT_TYPE_TEXT: &str = "application/grpc-web-text";

/// `Some(false)` for binary gRPC-Web (`application/grpc-web`, `+proto`), `Some(true)` for
/// text mode, with any parameters; `None` for anything else.
///
/// ```
/// use grpc_web_wasm::protocol::content_type::grpc_web_mode;
///
/// assert_eq!(grpc_web_mode("application/grpc-web+proto"), Some(false));
/// assert_eq!(grpc_web_mode("application/grpc-web-text; charset=utf-8"), Some(true));
/// assert_eq!(grpc_web_mode("text/html"), None);
/// ```
pub fn grpc_web_mode(content_type: &str) -> Option<bool> {
    // HTTP's optional whitespace is ASCII (space, tab); a byte over 0x7F is part of the
    // value. `str::trim` would also strip Unicode spaces, and link the `char` tables for it.
    let essence = super::ascii::split(content_type, b';')
        .next()
        .unwrap_or("")
        .trim_ascii();
    let is = |t: &str| essence.eq_ignore_ascii_case(t);
    if is("application/grpc-web") || is(CONTENT_TYPE_PROTO) {
        Some(false)
    } else if is(CONTENT_TYPE_TEXT) || is("application/grpc-web-text+proto") {
        Some(true)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_web_types_with_any_case_and_parameters() {
        for ct in [
            "application/grpc-web+proto",
            "application/grpc-web",
            "Application/GRPC-Web+proto; charset=utf-8",
        ] {
            assert_eq!(grpc_web_mode(ct), Some(false), "{ct}");
        }
        assert_eq!(grpc_web_mode("application/grpc-web-text+proto"), Some(true));
        for other in [
            "application/grpc",
            "application/grpc-web+json",
            "",
            "text/html",
        ] {
            assert_eq!(grpc_web_mode(other), None, "{other}");
        }
        assert_eq!(grpc_web_mode(" application/grpc-web\t; x=1"), Some(false));
        assert_eq!(grpc_web_mode("application/grpc-web\u{a0}"), None);
    }
}
