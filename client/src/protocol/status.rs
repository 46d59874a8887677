//! gRPC status: the [`Code`] set, the [`Status`] error, the `grpc-message` percent codec, and
//! the mapping from HTTP statuses for replies that never reached a gRPC server.

use std::fmt;
use std::sync::Arc;

use prost::Message as _;

use super::detail::detail;
use super::details::{self, RpcStatus};
use super::lossy::utf8_lossy;
use super::metadata::MetadataMap;
use super::quoted::Quoted;

/// A gRPC status code, as defined in `grpc/doc/statuscodes.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum Code {
    /// Not an error.
    Ok = 0,
    /// The operation was cancelled, typically by the caller.
    Cancelled = 1,
    /// Unknown error, including a status that could not be parsed.
    Unknown = 2,
    /// The client sent an invalid argument.
    InvalidArgument = 3,
    /// The deadline expired before the operation could complete.
    DeadlineExceeded = 4,
    /// A requested entity was not found.
    NotFound = 5,
    /// The entity the client tried to create already exists.
    AlreadyExists = 6,
    /// The caller may not perform this operation.
    PermissionDenied = 7,
    /// A resource, or a size limit, has been exhausted.
    ResourceExhausted = 8,
    /// The system is not in a state required for the operation.
    FailedPrecondition = 9,
    /// The operation was aborted, typically by a concurrency conflict.
    Aborted = 10,
    /// The operation was attempted past the valid range.
    OutOfRange = 11,
    /// The operation is not implemented, or a reply had the wrong number of messages.
    Unimplemented = 12,
    /// An invariant was broken: a protocol violation or an undecodable message.
    Internal = 13,
    /// The service is unavailable: the request could not reach it. Often transient.
    Unavailable = 14,
    /// Unrecoverable data loss or corruption.
    DataLoss = 15,
    /// The request lacks valid authentication credentials.
    Unauthenticated = 16,
}

impl Code {
    const ALL: [Code; 17] = [
        Code::Ok,
        Code::Cancelled,
        Code::Unknown,
        Code::InvalidArgument,
        Code::DeadlineExceeded,
        Code::NotFound,
        Code::AlreadyExists,
        Code::PermissionDenied,
        Code::ResourceExhausted,
        Code::FailedPrecondition,
        Code::Aborted,
        Code::OutOfRange,
        Code::Unimplemented,
        Code::Internal,
        Code::Unavailable,
        Code::DataLoss,
        Code::Unauthenticated,
    ];

    /// The code for a numeric value; values outside 0..=16 are [`Code::Unknown`], as the spec asks.
    pub fn from_i32(value: i32) -> Code {
        usize::try_from(value)
            .ok()
            .and_then(|i| Code::ALL.get(i).copied())
            .unwrap_or(Code::Unknown)
    }

    /// The numeric value sent in `grpc-status`.
    pub fn as_i32(self) -> i32 {
        self as i32
    }

    /// The canonical upper-case name, e.g. `NOT_FOUND`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Ok => "OK",
            Code::Cancelled => "CANCELLED",
            Code::Unknown => "UNKNOWN",
            Code::InvalidArgument => "INVALID_ARGUMENT",
            Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
            Code::NotFound => "NOT_FOUND",
            Code::AlreadyExists => "ALREADY_EXISTS",
            Code::PermissionDenied => "PERMISSION_DENIED",
            Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
            Code::FailedPrecondition => "FAILED_PRECONDITION",
            Code::Aborted => "ABORTED",
            Code::OutOfRange => "OUT_OF_RANGE",
            Code::Unimplemented => "UNIMPLEMENTED",
            Code::Internal => "INTERNAL",
            Code::Unavailable => "UNAVAILABLE",
            Code::DataLoss => "DATA_LOSS",
            Code::Unauthenticated => "UNAUTHENTICATED",
        }
    }

    /// The code a client reports for an HTTP reply that carries no gRPC status
    /// (`grpc/doc/http-grpc-status-mapping.md`): typically a proxy or load balancer answered.
    pub fn from_http_status(status: u16) -> Code {
        match status {
            400 => Code::Internal,
            401 => Code::Unauthenticated,
            403 => Code::PermissionDenied,
            404 => Code::Unimplemented,
            429 | 502 | 503 | 504 => Code::Unavailable,
            _ => Code::Unknown,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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
        let status = match code_number(raw.trim()) {
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

/// Encodes a status message for `grpc-message`: bytes outside printable ASCII, and `%`,
/// become `%XX` of their UTF-8 encoding.
pub fn percent_encode(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for &b in message.as_bytes() {
        if (0x20..=0x7e).contains(&b) && b != b'%' {
            out.push(b as char);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// Decodes `grpc-message`. The spec asks receivers to keep going on bad input: an invalid
/// `%` sequence stays as it is, and invalid UTF-8 becomes U+FFFD.
pub fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match bytes[i..] {
            [b'%', hi, lo, ..] => hex(hi).zip(hex(lo)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        match decoded {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|e| utf8_lossy(e.as_bytes()))
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

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknowns() {
        for n in 0..=16 {
            assert_eq!(Code::from_i32(n).as_i32(), n);
        }
        assert_eq!(Code::from_i32(17), Code::Unknown);
        assert_eq!(Code::from_i32(-1), Code::Unknown);
        assert_eq!(Code::NotFound.to_string(), "NOT_FOUND");
    }

    #[test]
    fn http_mapping_follows_the_spec_table() {
        let table = [
            (400, Code::Internal),
            (401, Code::Unauthenticated),
            (403, Code::PermissionDenied),
            (404, Code::Unimplemented),
            (429, Code::Unavailable),
            (502, Code::Unavailable),
            (503, Code::Unavailable),
            (504, Code::Unavailable),
            (500, Code::Unknown),
            (302, Code::Unknown),
        ];
        for (http, code) in table {
            assert_eq!(Code::from_http_status(http), code, "HTTP {http}");
        }
    }

    #[test]
    fn status_from_trailers() {
        let mut md = MetadataMap::new();
        md.push_received("grpc-status", "5");
        md.push_received("grpc-message", "user%2042%20not%20found");
        let s = Status::from_metadata(&md).unwrap();
        assert_eq!(s.code(), Code::NotFound);
        assert_eq!(s.message(), "user 42 not found");
        assert_eq!(s.metadata().get("grpc-status"), Some("5"));
        assert_eq!(s.to_string(), "NOT_FOUND: user 42 not found");

        assert!(Status::from_metadata(&MetadataMap::new()).is_none());
        for bad in ["", "abc", "99", "-3", "1x"] {
            let mut md = MetadataMap::new();
            md.push_received("grpc-status", bad);
            let s = Status::from_metadata(&md).unwrap();
            assert_eq!(s.code(), Code::Unknown, "{bad:?}");
            assert!(s.message().contains("invalid grpc-status"));
        }
    }

    #[test]
    fn rich_details_decode_from_trailers() {
        let detail = prost_types::Duration {
            seconds: 3,
            nanos: 0,
        };
        let rpc = RpcStatus {
            code: 3,
            message: "bad".into(),
            details: vec![
                prost_types::Any {
                    type_url: "type.googleapis.com/other.Thing".into(),
                    value: vec![1, 2],
                },
                prost_types::Any::from_msg(&detail).unwrap(),
            ],
        };
        let mut md = MetadataMap::new();
        md.push_received("grpc-status", "3");
        md.push_received(
            "grpc-status-details-bin",
            crate::protocol::base64::encode(&rpc.encode_to_vec(), true),
        );
        let s = Status::from_metadata(&md).unwrap();
        assert_eq!(s.rpc_status(), Some(rpc.clone()));
        assert_eq!(s.details(), rpc.encode_to_vec(), "the bytes as sent");
        assert_eq!(s.error_details().len(), 2);
        assert_eq!(s.detail::<prost_types::Duration>(), Some(detail));
        assert_eq!(s.detail::<prost_types::Timestamp>(), None);

        let mut garbage = MetadataMap::new();
        garbage.push_received("grpc-status-details-bin", "!!!");
        let s = Status::new(Code::Unknown, "x").carrying_metadata(garbage);
        assert!(s.details().is_empty());
        assert!(s.error_details().is_empty());
    }

    #[test]
    fn grpc_status_numbers_read_as_from_str_would() {
        for v in [
            "0",
            "16",
            "+7",
            "-0",
            "007",
            "17",
            "-1",
            "",
            "+",
            "-",
            "1 ",
            "x",
            "99999999999",
        ] {
            let want = v.parse::<i32>().ok().filter(|n| (0..=16).contains(n));
            assert_eq!(code_number(v), want, "{v:?}");
        }
    }

    #[test]
    fn http_replies_are_kept_for_debugging() {
        let s = Status::new(Code::Unavailable, "HTTP 502").with_http_reply(502, "<h1>Bad</h1>");
        assert_eq!(s.http_status(), Some(502));
        assert_eq!(s.body_excerpt(), Some("<h1>Bad</h1>"));
        let shown = if cfg!(feature = "detailed-errors") {
            "UNAVAILABLE: HTTP 502 (body: \"<h1>Bad</h1>\")"
        } else {
            "UNAVAILABLE: HTTP 502"
        };
        assert_eq!(s.to_string(), shown);
    }

    #[test]
    fn percent_codec() {
        assert_eq!(percent_encode("a b%c\n"), "a b%25c%0A");
        assert_eq!(percent_encode("ünï"), "%C3%BCn%C3%AF");
        assert_eq!(percent_decode("%C3%BCn%C3%AF"), "ünï");
        // Broken sequences pass through rather than failing the call.
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn percent_round_trip(s in ".*") {
            let encoded = percent_encode(&s);
            proptest::prop_assert!(encoded.bytes().all(|b| (0x20..=0x7e).contains(&b)));
            proptest::prop_assert_eq!(percent_decode(&encoded), s);
        }

        #[test]
        fn percent_decode_never_panics(s in "(%|[0-9a-fA-F]|.){0,40}") {
            let _ = percent_decode(&s);
        }
    }
}
