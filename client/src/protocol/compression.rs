//! Per-message compression (`grpc-encoding`): gzip, in pure Rust so it runs in wasm
//! (feature `gzip`), or by the browser's `CompressionStream` (feature `browser-gzip`), in
//! which case the codec lives outside this pure core: compressed reply frames are handed up
//! ([`Compressed`](super::body::Compressed)) and come back inflated, and the error texts for
//! both codecs are made here ([`too_large`], [`corrupt`]).

use super::detail::detail;
use super::quoted::Quoted;
use super::status::{Code, Status};

/// A message compression scheme this client implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    /// `gzip` (RFC 1952).
    Gzip,
}

impl Compression {
    /// Whether this build implements the scheme (gzip needs the `gzip` feature, on by
    /// default, or `browser-gzip`).
    pub fn is_available(self) -> bool {
        match self {
            Compression::Gzip => cfg!(any(feature = "gzip", feature = "browser-gzip")),
        }
    }

    /// The name used in `grpc-encoding` and `grpc-accept-encoding`.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
        }
    }
}

/// What a reply's `grpc-encoding` header announced for its compressed frames.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Encoding {
    /// No header, or `identity`: a compressed frame is a protocol error.
    #[default]
    Identity,
    /// A scheme this client decodes.
    Known(Compression),
    /// A scheme this client does not implement; fails only if a compressed frame arrives.
    Unsupported(String),
}

impl Encoding {
    /// Reads a `grpc-encoding` header value.
    pub fn from_header(value: Option<&str>) -> Encoding {
        // HTTP's whitespace, which is ASCII (see `content_type::grpc_web_mode`).
        match value.map(str::trim_ascii) {
            None | Some("") => Encoding::Identity,
            Some(v) if v.eq_ignore_ascii_case("identity") => Encoding::Identity,
            Some(v) if v.eq_ignore_ascii_case("gzip") => Encoding::Known(Compression::Gzip),
            Some(v) => Encoding::Unsupported(v.to_owned()),
        }
    }

    /// Decompresses a frame flagged as compressed, refusing to inflate past `limit` bytes.
    ///
    /// `what` names the frame ("message", "trailer block") in errors.
    pub fn decompress(&self, data: &[u8], limit: usize, what: &str) -> Result<Vec<u8>, Status> {
        match self {
            Encoding::Identity => Err(Status::new(
                Code::Internal,
                detail!(
                    "compressed frame without grpc-encoding",
                    "protocol error: compressed {what}, but the reply announced no grpc-encoding"
                ),
            )),
            Encoding::Unsupported(name) => Err(Status::new(
                Code::Internal,
                detail!(
                    "unsupported grpc-encoding",
                    "compressed {what} in grpc-encoding {}, which this client does not support (supported: gzip)",
                    Quoted(name)
                ),
            )),
            Encoding::Known(Compression::Gzip) => gunzip(data, limit, what),
        }
    }
}

/// The error for a `what` ("message", "trailer block") that inflates past `limit` bytes.
pub fn too_large(what: &str, limit: usize) -> Status {
    Status::new(
        Code::ResourceExhausted,
        detail!(
            "decompressed size over the limit",
            "decompressed {what} exceeds the limit of {limit} bytes"
        ),
    )
}

/// The error for a `what` that is not valid gzip; `why` is the codec's own account.
pub fn corrupt(what: &str, why: impl std::fmt::Display) -> Status {
    failed("decompress", what, why)
}

/// The error for a codec that failed to `action` ("compress", "decompress") `what`.
pub fn failed(action: &str, what: &str, why: impl std::fmt::Display) -> Status {
    Status::new(
        Code::Internal,
        detail!(
            "gzip: the codec failed",
            "failed to {action} a gzip {what}: {why}"
        ),
    )
}

/// Inflates at most `limit + 1` bytes, so a compression bomb costs no more than the limit.
#[cfg(feature = "gzip")]
fn gunzip(data: &[u8], limit: usize, what: &str) -> Result<Vec<u8>, Status> {
    use std::io::Read;
    let mut out = Vec::with_capacity(data.len().saturating_mul(2).min(limit));
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    flate2::read::GzDecoder::new(data)
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|e| corrupt(what, e))?;
    if out.len() > limit {
        return Err(too_large(what, limit));
    }
    Ok(out)
}

#[cfg(not(feature = "gzip"))]
fn gunzip(_: &[u8], _: usize, what: &str) -> Result<Vec<u8>, Status> {
    Err(unavailable(Compression::Gzip, what))
}

#[cfg(not(feature = "gzip"))]
fn unavailable(scheme: Compression, what: &str) -> Status {
    Status::new(
        Code::Internal,
        detail!(
            "compression not in this build",
            "{what} compressed with {}, but this build of grpc-web-wasm has no {0} support here (cargo feature `{0}`, or `browser-{0}` for the browser's own codec)",
            scheme.as_str()
        ),
    )
}

/// Compresses a request message; fails if this build lacks the scheme. With only
/// `browser-gzip`, the browser layer compresses before framing ([`super::request::framed`])
/// and never calls this.
pub fn compress(scheme: Compression, data: &[u8]) -> Result<Vec<u8>, Status> {
    match scheme {
        #[cfg(not(feature = "gzip"))]
        Compression::Gzip => {
            let _ = data;
            Err(unavailable(scheme, "request message"))
        }
        #[cfg(feature = "gzip")]
        Compression::Gzip => {
            use std::io::Write;
            let mut encoder = flate2::write::GzEncoder::new(
                Vec::with_capacity(data.len() / 2 + 32),
                flate2::Compression::fast(),
            );
            Ok(encoder
                .write_all(data)
                .and_then(|()| encoder.finish())
                .expect("writing to a Vec cannot fail"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "gzip")]
    fn gzip_round_trip_and_limits() {
        let gz = Encoding::Known(Compression::Gzip);
        let data = vec![7u8; 10_000];
        let packed = compress(Compression::Gzip, &data).unwrap();
        assert!(packed.len() < 200);
        assert_eq!(gz.decompress(&packed, 10_000, "message").unwrap(), data);
        let s = gz.decompress(&packed, 9_999, "message").unwrap_err();
        assert_eq!(s.code(), Code::ResourceExhausted);
        assert!(s.message().contains("9999 bytes"), "{s}");
        assert_eq!(
            gz.decompress(b"not gzip", 100, "message")
                .unwrap_err()
                .code(),
            Code::Internal
        );
    }

    #[test]
    fn headers_and_unsupported_schemes() {
        assert_eq!(Encoding::from_header(None), Encoding::Identity);
        assert_eq!(Encoding::from_header(Some("identity")), Encoding::Identity);
        assert_eq!(
            Encoding::from_header(Some("GZIP")),
            Encoding::Known(Compression::Gzip)
        );
        let br = Encoding::from_header(Some("br"));
        let s = br.decompress(b"x", 10, "message").unwrap_err();
        assert_eq!(s.code(), Code::Internal);
        assert!(
            !cfg!(feature = "detailed-errors") || s.message().contains("\"br\""),
            "{s}"
        );
        let s = Encoding::Identity
            .decompress(b"x", 10, "message")
            .unwrap_err();
        assert!(
            !cfg!(feature = "detailed-errors") || s.message().contains("no grpc-encoding"),
            "{s}"
        );
    }
}
