//! What a request puts on the wire: the method URL, the headers, and the body (one frame,
//! possibly compressed, base64 in text mode).

use std::borrow::Cow;
use std::time::Duration;

use super::compression::{self, Compression};
use super::content_type::{CONTENT_TYPE_PROTO, CONTENT_TYPE_TEXT};
use super::detail::detail;
use super::frame::{encode_header, FLAG_COMPRESSED, HEADER_LEN};
use super::metadata::MetadataMap;
use super::quoted::Quoted;
use super::status::{Code, Status};
use super::{text, timeout};

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
        .and_then(|p| super::ascii::split_once(p, b'/'))
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
            detail!(
                "invalid method path",
                "invalid method path {}: want /package.Service/Method",
                Quoted(path)
            ),
        ));
    }
    // Pushed rather than `format!`ed: this is on every call's path.
    let base = super::ascii::trim_end(base_url, b'/');
    let mut url = String::with_capacity(base.len() + path.len());
    url.push_str(base);
    url.push_str(path);
    Ok(url)
}

/// How a call is sent, beyond its metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wire {
    /// Text mode (`application/grpc-web-text`) rather than binary.
    pub text: bool,
    /// The deadline sent as `grpc-timeout`.
    pub timeout: Option<Duration>,
    /// Compression applied to the request message.
    pub send_compression: Option<Compression>,
    /// Compression the reply may use, announced in `grpc-accept-encoding`.
    pub accept_compression: Vec<Compression>,
    /// Attempts of this call before this one, sent as `grpc-previous-rpc-attempts` when
    /// not zero (retries and hedges, gRFC A6).
    pub previous_attempts: u32,
}

/// Every header of a call: the protocol's own, then each metadata map in turn (already
/// validated by [`MetadataMap`], which refuses the protocol's names).
pub fn headers<'a>(wire: &Wire, metadata: &[&'a MetadataMap]) -> Vec<(&'a str, Cow<'a, str>)> {
    let mut h = Vec::new();
    each_header(wire, metadata, |k, v| h.push((k, v)));
    h
}

/// [`headers`], handed to `each` one by one in the same order, for a transport that writes
/// them out as they come rather than collecting them first.
pub fn each_header<'a>(
    wire: &Wire,
    metadata: &[&'a MetadataMap],
    mut each: impl FnMut(&'a str, Cow<'a, str>),
) {
    let content_type = if wire.text {
        CONTENT_TYPE_TEXT
    } else {
        CONTENT_TYPE_PROTO
    };
    each("content-type", content_type.into());
    each("x-grpc-web", "1".into());
    each("x-user-agent", USER_AGENT.into());
    // Some servers answer with the request's `Accept` as their content type, and fetch
    // sends `*/*` unless told: ask for what this client reads.
    each("accept", content_type.into());
    if let Some(t) = wire.timeout {
        each("grpc-timeout", timeout::encode(t).into());
    }
    if let Some(c) = wire.send_compression {
        each("grpc-encoding", c.as_str().into());
    }
    if wire.previous_attempts > 0 {
        each(
            "grpc-previous-rpc-attempts",
            super::ascii::decimal(u64::from(wire.previous_attempts)).into(),
        );
    }
    let mut names = String::new();
    for c in wire.accept_compression.iter().filter(|c| c.is_available()) {
        if !names.is_empty() {
            names.push(',');
        }
        names.push_str(c.as_str());
    }
    if !names.is_empty() {
        each("grpc-accept-encoding", names.into());
    }
    for md in metadata {
        for (k, v) in md.iter() {
            each(k, Cow::Borrowed(v));
        }
    }
}

/// The request body for an encoded message: one data frame, compressed if `wire` says so.
///
/// A message over `max_len` bytes (before compression) is `RESOURCE_EXHAUSTED`.
pub fn body(wire: &Wire, message: &[u8], max_len: usize) -> Result<Body, Status> {
    check_size(message.len(), max_len)?;
    match wire.send_compression {
        Some(c) => framed(wire, &compression::compress(c, message)?, true),
        None => framed(wire, message, false),
    }
}

/// Refuses a message of `len` bytes over the send limit of `max_len` (or over what a
/// frame's length prefix can say) with `RESOURCE_EXHAUSTED`.
pub fn check_size(len: usize, max_len: usize) -> Result<(), Status> {
    if len > max_len || u32::try_from(len).is_err() {
        return Err(too_large(len, max_len));
    }
    Ok(())
}

/// The request body for a `payload` already compressed (or not) as `compressed` says: one
/// data frame, base64 in text mode. For a codec outside this core, which compresses a
/// message checked by [`check_size`] first.
pub fn framed(wire: &Wire, payload: &[u8], compressed: bool) -> Result<Body, Status> {
    // Compression can grow incompressible data a little past what the prefix can say.
    check_size(payload.len(), usize::MAX)?;
    let flags = if compressed { FLAG_COMPRESSED } else { 0 };
    let mut framed = Vec::with_capacity(HEADER_LEN + payload.len());
    framed.extend_from_slice(&encode_header(flags, payload.len()));
    framed.extend_from_slice(payload);
    Ok(if wire.text {
        if !cfg!(feature = "text-mode") {
            return Err(text::unavailable());
        }
        Body::Text(text::encode(&framed))
    } else {
        Body::Binary(framed)
    })
}

/// The error for a request message of `len` bytes over the send limit of `max_len`.
pub fn too_large(len: usize, max_len: usize) -> Status {
    Status::new(
        Code::ResourceExhausted,
        detail!(
            "request message over the limit",
            "request message of {len} bytes exceeds the limit of {max_len} bytes"
        ),
    )
}

/// A request body ready for `fetch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Frames as bytes.
    Binary(Vec<u8>),
    /// Frames as base64 text.
    Text(String),
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
        let h = headers(&Wire::default(), &[&md]);
        assert_eq!(h[0], ("content-type", "application/grpc-web+proto".into()));
        assert_eq!(h[1], ("x-grpc-web", "1".into()));
        assert!(h[2].1.starts_with("grpc-web-wasm/"));
        // Accept names what this client reads: some servers echo it as the content type.
        assert_eq!(h[3], ("accept", "application/grpc-web+proto".into()));
        assert_eq!(h[4], ("x-k", "v".into()));
    }

    #[test]
    fn encodes_a_prost_message() {
        use prost::Message as _;
        let msg = proto::demo::v1::UserRequest { user_id: 7 };
        let framed = body(&Wire::default(), &msg.encode_to_vec(), 100).unwrap();
        // field 1, varint 7
        assert_eq!(framed, Body::Binary(vec![0, 0, 0, 0, 2, 0x08, 0x07]));
        let err = body(&Wire::default(), &msg.encode_to_vec(), 1).unwrap_err();
        assert_eq!(err.code(), Code::ResourceExhausted);
    }

    #[test]
    fn payloads_compressed_elsewhere_are_framed_with_the_flag() {
        let wire = Wire::default();
        assert_eq!(
            framed(&wire, b"gz", true).unwrap(),
            Body::Binary(vec![FLAG_COMPRESSED, 0, 0, 0, 2, b'g', b'z'])
        );
        let text = Wire {
            text: true,
            ..Wire::default()
        };
        if cfg!(feature = "text-mode") {
            assert_eq!(
                framed(&text, b"hi", false).unwrap(),
                Body::Text("AAAAAAJoaQ==".into())
            );
        } else {
            assert_eq!(
                framed(&text, b"hi", false).unwrap_err().code(),
                Code::Unimplemented
            );
        }
        assert!(check_size(10, 10).is_ok());
        assert_eq!(
            check_size(11, 10).unwrap_err().code(),
            Code::ResourceExhausted
        );
    }

    #[test]
    #[cfg(feature = "gzip")]
    fn wire_options_become_headers() {
        let wire = Wire {
            text: true,
            timeout: Some(Duration::from_millis(1500)),
            send_compression: Some(Compression::Gzip),
            accept_compression: vec![Compression::Gzip],
            previous_attempts: 2,
        };
        let h = headers(&wire, &[]);
        let get = |k: &str| h.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_ref());
        assert_eq!(get("content-type"), Some(CONTENT_TYPE_TEXT));
        assert_eq!(get("accept"), Some(CONTENT_TYPE_TEXT));
        assert_eq!(get("grpc-timeout"), Some("1500000u"));
        assert_eq!(get("grpc-encoding"), Some("gzip"));
        assert_eq!(get("grpc-accept-encoding"), Some("gzip"));
        assert_eq!(get("grpc-previous-rpc-attempts"), Some("2"));
        let first = headers(&Wire::default(), &[]);
        assert!(first
            .iter()
            .all(|(k, _)| *k != "grpc-previous-rpc-attempts"));
    }

    #[test]
    #[cfg(feature = "gzip")]
    fn bodies_are_framed_compressed_and_encoded() {
        let plain = body(&Wire::default(), b"hi", 10).unwrap();
        assert_eq!(plain, Body::Binary(vec![0, 0, 0, 0, 2, b'h', b'i']));
        let text = body(
            &Wire {
                text: true,
                ..Wire::default()
            },
            b"hi",
            10,
        )
        .unwrap();
        assert_eq!(text, Body::Text("AAAAAAJoaQ==".into()));
        let Body::Binary(gz) = body(
            &Wire {
                send_compression: Some(Compression::Gzip),
                ..Wire::default()
            },
            b"hi",
            10,
        )
        .unwrap() else {
            panic!("binary expected")
        };
        assert_eq!(gz[0], FLAG_COMPRESSED);
        let s = body(&Wire::default(), &[0; 11], 10).unwrap_err();
        assert_eq!(s.code(), Code::ResourceExhausted);
    }
}
