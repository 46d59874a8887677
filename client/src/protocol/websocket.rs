//! The `grpc-websockets` wire format (improbable-eng/grpc-web's WebSocket transport), for
//! client-streaming and bidirectional calls: what the client sends, and the head frame that
//! starts the server's reply. The rest of the reply is an ordinary gRPC-Web body, read by the
//! same [`ReplyDecoder`](super::reply::ReplyDecoder) as a `fetch` reply.
//!
//! - The first message: the request metadata as `key: value\r\n` lines, repeated keys joined
//!   with `, `.
//! - Each request message: `0x00`, then a gRPC frame. The last: `0x01` alone (half-close).
//! - The reply: the response headers as a `0x80` frame holding an HTTP/1 header block, then
//!   data frames and the trailer frame, cut anywhere across WebSocket messages.

use std::borrow::Cow;

use super::frame::{FLAG_TRAILERS, HEADER_LEN};
use super::limits::Limits;
use super::metadata::MetadataMap;
use super::status::{Code, Status};
use super::trailers;

/// The subprotocol a client asks for.
pub const PROTOCOL: &str = "grpc-websockets";

/// The message that half-closes the request stream.
pub const HALF_CLOSE: [u8; 1] = [1];

/// The first message: every header as a `key: value` line, a repeated key once with its
/// values joined by `, `.
pub fn header_message(headers: &[(&str, Cow<'_, str>)]) -> Vec<u8> {
    let mut out = String::new();
    let mut done: Vec<&str> = Vec::new();
    for (i, (key, _)) in headers.iter().enumerate() {
        if done.contains(key) {
            continue;
        }
        done.push(key);
        out.push_str(key);
        out.push_str(": ");
        let mut first = true;
        for (_, value) in headers[i..].iter().filter(|(k, _)| k == key) {
            if !first {
                out.push_str(", ");
            }
            out.push_str(value);
            first = false;
        }
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// A request message on the socket: `0x00` and the framed message.
pub fn data_message(frame: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(frame.len() + 1);
    out.push(0);
    out.extend_from_slice(frame);
    out
}

/// Reads the head frame that starts a reply, in whatever pieces it arrives.
#[derive(Debug, Default)]
pub struct HeadDecoder {
    buf: Vec<u8>,
}

impl HeadDecoder {
    /// A decoder at the start of a reply.
    pub fn new() -> HeadDecoder {
        HeadDecoder::default()
    }

    /// Takes the next bytes; once the head frame is complete, its headers and the bytes
    /// after it (the start of the body). The length prefix is checked against the limit
    /// before anything is buffered for it.
    pub fn push(
        &mut self,
        bytes: &[u8],
        limits: &Limits,
    ) -> Result<Option<(MetadataMap, Vec<u8>)>, Status> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() < HEADER_LEN {
            return Ok(None);
        }
        if self.buf[0] != FLAG_TRAILERS {
            return Err(Status::new(
                Code::Unknown,
                format!(
                    "the server does not speak grpc-websockets: its reply starts with {:#04x}, not a header frame (0x80)",
                    self.buf[0]
                ),
            ));
        }
        let len = u32::from_be_bytes([self.buf[1], self.buf[2], self.buf[3], self.buf[4]]);
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        if len > limits.max_headers_size {
            return Err(Status::new(
                Code::ResourceExhausted,
                format!(
                    "response headers of {len} bytes exceed the limit of {} bytes",
                    limits.max_headers_size
                ),
            ));
        }
        if self.buf.len() < HEADER_LEN + len {
            return Ok(None);
        }
        let headers = trailers::parse(&self.buf[HEADER_LEN..HEADER_LEN + len])?;
        let rest = self.buf.split_off(HEADER_LEN + len);
        self.buf.clear();
        Ok(Some((headers, rest)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_message_joins_repeated_keys() {
        let headers = [
            ("content-type", Cow::from("application/grpc-web+proto")),
            ("x-k", "a".into()),
            ("x-grpc-web", "1".into()),
            ("x-k", "b".into()),
        ];
        assert_eq!(
            String::from_utf8(header_message(&headers)).unwrap(),
            "content-type: application/grpc-web+proto\r\nx-k: a, b\r\nx-grpc-web: 1\r\n"
        );
        assert_eq!(data_message(&[0, 0, 0, 0, 1, 7]), [0, 0, 0, 0, 0, 1, 7]);
    }

    #[test]
    fn the_head_frame_in_any_pieces() {
        let block = b"content-type: application/grpc-web+proto\r\nx-h: 1\r\n";
        let mut reply = vec![0x80, 0, 0, 0, block.len() as u8];
        reply.extend_from_slice(block);
        reply.extend_from_slice(&[0, 0, 0, 0, 0]);
        for cut in 0..reply.len() {
            let mut d = HeadDecoder::new();
            let limits = Limits::default();
            let first = d.push(&reply[..cut], &limits).unwrap();
            let (headers, body) = match first {
                Some((headers, mut rest)) => {
                    rest.extend_from_slice(&reply[cut..]);
                    (headers, rest)
                }
                None => d.push(&reply[cut..], &limits).unwrap().expect("complete"),
            };
            assert_eq!(headers.get("x-h"), Some("1"), "cut at {cut}");
            assert_eq!(body, [0, 0, 0, 0, 0], "cut at {cut}");
        }
    }

    #[test]
    fn not_a_head_frame_or_too_large() {
        let mut d = HeadDecoder::new();
        let s = d.push(b"HTTP/1.1 200", &Limits::default()).unwrap_err();
        assert_eq!(s.code(), Code::Unknown);
        let mut d = HeadDecoder::new();
        let s = d
            .push(&[0x80, 0xff, 0xff, 0xff, 0xff], &Limits::default())
            .unwrap_err();
        assert_eq!(s.code(), Code::ResourceExhausted);
    }
}
