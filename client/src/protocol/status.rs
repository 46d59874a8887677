//! gRPC status: the [`Code`] set, the [`Status`] error, the `grpc-message` percent codec, and
//! the mapping from HTTP statuses for replies that never reached a gRPC server.

use std::fmt;
use std::sync::Arc;

use prost::Message as _;

use super::detail::detail;
use super::details::{self, RpcStatus};
use super::metadata::MetadataMap;
use super::quoted::Quoted;

mod code;
mod percent;

pub use code::Code;
pub use percent::{percent_decode, percent_encode};

/// The outcome of a call that did not succeed: a [`Code`], a message, and the metadata
/// (trailers, or headers of a trailers-only reply) that came with it.
///
/// Errors found on the client side (a malformed frame, an oversized message, a network
/// failure) are reported as a `Status` too, with the code gRPC prescribes for them.
///
/// Two statuses are equal when all but their [`source`](std::error::Error::source) are.
#[derive(Clone)]
pub struct Status(Box<Fields>);

/// Behind one pointer: a `Result<_, Status>` is then hardly larger than its `Ok` value, so
/// the call's state machines move and drop a word instead of the fields, at every step that
/// can fail (measured in `bench/FINDINGS.md`, 2026-12-06 session 9).
#[derive(Clone)]
struct Fields {
    code: Code,
    message: String,
    metadata: MetadataMap,
    headers: MetadataMap,
    // Boxed: rare, and it keeps `Result<_, Status>` small (clippy's result_large_err).
    http: Option<Box<HttpReply>>,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl fmt::Debug for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        f.debug_struct("Status")
            .field("code", &s.code)
            .field("message", &s.message)
            .field("metadata", &s.metadata)
            .field("headers", &s.headers)
            .field("http", &s.http)
            .field("source", &s.source)
            .finish()
    }
}

impl PartialEq for Status {
    fn eq(&self, other: &Status) -> bool {
        (
            &self.0.code,
            &self.0.message,
            &self.0.metadata,
            &self.0.headers,
            &self.0.http,
        ) == (
            &other.0.code,
            &other.0.message,
            &other.0.metadata,
            &other.0.headers,
            &other.0.http,
        )
    }
}

impl Eq for Status {}

/// What came back when the reply was not gRPC-Web at all, kept for debugging.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HttpReply {
    status: u16,
    body_excerpt: String,
}

impl Status {
    /// A status with this code and message and no metadata.
    pub fn new(code: Code, message: impl Into<String>) -> Status {
        Status(Box::new(Fields {
            code,
            message: message.into(),
            metadata: MetadataMap::new(),
            headers: MetadataMap::new(),
            http: None,
            source: None,
        }))
    }

    /// A status with this code, message and metadata (as tonic's `Status::with_metadata`).
    pub fn with_metadata(code: Code, message: impl Into<String>, metadata: MetadataMap) -> Status {
        Status::new(code, message).carrying_metadata(metadata)
    }

    /// The status code.
    pub fn code(&self) -> Code {
        self.0.code
    }

    /// The human-readable message (already percent-decoded).
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Trailers (or trailers-only headers) received with the status.
    pub fn metadata(&self) -> &MetadataMap {
        &self.0.metadata
    }

    /// The metadata, for changing: e.g. a mock adding trailers a test expects.
    pub fn metadata_mut(&mut self) -> &mut MetadataMap {
        &mut self.0.metadata
    }

    /// This status carrying `metadata`.
    pub(crate) fn carrying_metadata(mut self, metadata: MetadataMap) -> Status {
        self.0.metadata = metadata;
        self
    }

    /// Records the error this status came from, which
    /// [`Error::source`](std::error::Error::source) then returns (as tonic's `set_source`).
    pub fn set_source(
        &mut self,
        source: Arc<dyn std::error::Error + Send + Sync + 'static>,
    ) -> &mut Status {
        self.0.source = Some(source);
        self
    }

    /// The response headers of the reply that ended with this status (those the page may
    /// read), empty if the call failed before any reply.
    pub fn headers(&self) -> &MetadataMap {
        &self.0.headers
    }

    /// This status carrying the response headers it came with.
    pub fn with_headers(mut self, headers: MetadataMap) -> Status {
        self.0.headers = headers;
        self
    }

    /// The HTTP status of a reply that carried no gRPC status (a proxy's error page, a 404).
    pub fn http_status(&self) -> Option<u16> {
        self.0.http.as_ref().map(|h| h.status)
    }

    /// The start of that reply's body, as text, for debugging.
    pub fn body_excerpt(&self) -> Option<&str> {
        self.0.http.as_ref().map(|h| h.body_excerpt.as_str())
    }

    /// This status recording the HTTP reply it was derived from.
    pub fn with_http_reply(mut self, status: u16, body_excerpt: impl Into<String>) -> Status {
        self.0.http = Some(Box::new(HttpReply {
            status,
            body_excerpt: body_excerpt.into(),
        }));
        self
    }

    /// The `google.rpc.Status` from `grpc-status-details-bin`, if present and decodable.
    pub fn rpc_status(&self) -> Option<RpcStatus> {
        let bytes = self.0.metadata.get_bin("grpc-status-details-bin")?.ok()?;
        RpcStatus::decode(bytes.as_slice()).ok()
    }

    /// The opaque error details as sent: the bytes of `grpc-status-details-bin` (an encoded
    /// `google.rpc.Status`), empty if none came or they are not valid base64. As tonic's
    /// `Status::details`; [`error_details`](Self::error_details) decodes them.
    pub fn details(&self) -> Vec<u8> {
        match self.0.metadata.get_bin("grpc-status-details-bin") {
            Some(Ok(bytes)) => bytes,
            _ => Vec::new(),
        }
    }

    /// The rich error details (`google.protobuf.Any`s) sent with this status; empty if none.
    pub fn error_details(&self) -> Vec<prost_types::Any> {
        self.rpc_status().map(|s| s.details).unwrap_or_default()
    }

    /// The first detail of message type `T`, e.g. `google.rpc.BadRequest`.
    ///
    /// ```
    /// # fn show(status: &grpc_web_wasm::Status) {
    /// if let Some(bad) = status.detail::<proto::google::rpc::BadRequest>() {
    ///     let fields: Vec<String> = bad.field_violations.into_iter().map(|v| v.field).collect();
    ///     assert!(!fields.is_empty());
    /// }
    /// # }
    /// ```
    pub fn detail<T: prost::Name + Default>(&self) -> Option<T> {
        details::find(&self.error_details())
    }

    /// Reads `grpc-status` and `grpc-message` from trailers (or trailers-only headers).
    ///
    /// `None` when there is no `grpc-status`; an unparsable value is [`Code::Unknown`].
    /// The returned status keeps all of `metadata`, including `grpc-status` itself.
    pub fn from_metadata(metadata: &MetadataMap) -> Option<Status> {
        let raw = metadata.get("grpc-status")?;
        let message = metadata
            .get("grpc-message")
            .map(percent_decode)
            .unwrap_or_default();
        // Around the digits only HTTP's whitespace, which is ASCII (see `grpc_web_mode`).
        let status = match code_number(raw.trim_ascii()) {
            Some(n) => Status::new(Code::from_i32(n), message),
            _ => Status::new(
                Code::Unknown,
                detail!(
                    "invalid grpc-status from server",
                    "invalid grpc-status {} from server; grpc-message: {}",
                    Quoted(raw),
                    Quoted(&message)
                ),
            ),
        };
        Some(status.carrying_metadata(metadata.clone()))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Pieces rather than `write!`: every app that shows a status links this.
        f.write_str(self.0.code.as_str())?;
        if !self.0.message.is_empty() {
            f.write_str(": ")?;
            f.write_str(&self.0.message)?;
        }
        // The excerpt is the detailed text's: without it, `body_excerpt()` still has it.
        match &self.0.http {
            Some(h) if cfg!(feature = "detailed-errors") && !h.body_excerpt.is_empty() => {
                f.write_str(" (body: ")?;
                fmt::Display::fmt(&Quoted(&h.body_excerpt), f)?;
                f.write_str(")")
            }
            _ => Ok(()),
        }
    }
}

impl std::error::Error for Status {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A `grpc-status` value in 0..=16, read as `i32::from_str` would (a sign, leading zeros)
/// without linking the general integer parser.
fn code_number(value: &str) -> Option<i32> {
    let (negative, digits) = match value.as_bytes() {
        [b'+', rest @ ..] => (false, rest),
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i32 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        // Anything past 16 is out of range, so stop growing there (no overflow).
        n = (n * 10 + i32::from(d - b'0')).min(17);
    }
    // Only -0 is in range among negatives.
    (!negative || n == 0).then_some(n).filter(|n| *n <= 16)
}

#[cfg(test)]
mod tests;
