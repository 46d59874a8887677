//! What a request puts on the wire besides its frame: the method URL and the headers.

use super::metadata::MetadataMap;
use super::response::CONTENT_TYPE_PROTO;
use super::status::{Code, Status};

/// Identifies this client in `x-user-agent` (browsers own `user-agent`).
pub const USER_AGENT: &str = concat!("grpc-web-wasm/", env!("CARGO_PKG_VERSION"));

/// The URL of `path` (`/package.Service/Method`) on a server at `base_url`.
///
/// ```
/// use grpc_web_wasm::protocol::request::method_url;
///
/// let url = method_url("http://127.0.0.1:50051/", "/demo.v1.UserService/GetUser").unwrap();
/// assert_eq!(url, "http://127.0.0.1:50051/demo.v1.UserService/GetUser");
/// assert!(method_url("http://h", "GetUser").is_err());
/// ```
pub fn method_url(base_url: &str, path: &str) -> Result<String, Status> {
    let valid = path
        .strip_prefix('/')
        .and_then(|p| p.split_once('/'))
        .is_some_and(|(service, method)| {
            let ok = |s: &str| {
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_'))
            };
            ok(service) && ok(method)
        });
    if !valid {
        return Err(Status::new(
            Code::Internal,
            format!("invalid method path {path:?}: want /package.Service/Method"),
        ));
    }
    Ok(format!("{}{path}", base_url.trim_end_matches('/')))
}

/// Every header of a call: the protocol's own, then the caller's metadata (already validated
/// by [`MetadataMap`], which refuses the protocol's names).
pub fn headers(metadata: &MetadataMap) -> Vec<(&str, &str)> {
    let mut h = vec![
        ("content-type", CONTENT_TYPE_PROTO),
        ("x-grpc-web", "1"),
        ("x-user-agent", USER_AGENT),
    ];
    h.extend(metadata.iter());
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        for bad in ["", "/", "//M", "/S/", "/S/M/x", "S/M", "/S M/x", "/S/M?q=1"] {
            assert_eq!(
                method_url("http://h", bad).unwrap_err().code(),
                Code::Internal,
                "{bad:?}"
            );
        }
        assert_eq!(
            method_url("http://h/api", "/a.B/C_d").unwrap(),
            "http://h/api/a.B/C_d"
        );
    }

    #[test]
    fn protocol_headers_come_first() {
        let mut md = MetadataMap::new();
        md.insert("x-k", "v").unwrap();
        let h = headers(&md);
        assert_eq!(h[0], ("content-type", "application/grpc-web+proto"));
        assert_eq!(h[1], ("x-grpc-web", "1"));
        assert!(h[2].1.starts_with("grpc-web-wasm/"));
        assert_eq!(h[3], ("x-k", "v"));
    }
}
