//! The `grpc-websockets` wire format, as improbable-eng/grpc-web's client and Go proxy speak it.
//!
//! - Client → server: the first WebSocket message holds the request metadata as
//!   `key: value\r\n` lines; then each request message is one binary message, a `0x00` byte
//!   followed by an ordinary gRPC frame; a binary message of exactly `0x01` half-closes.
//! - Server → client: a gRPC-Web byte stream cut anywhere across binary messages: the
//!   response headers as a frame flagged `0x80` holding an HTTP/1 header block, the data
//!   frames, then the trailers as a second `0x80` frame; then a normal close.

use bytes::{BufMut, Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue};

/// The WebSocket subprotocol a client asks for.
pub const PROTOCOL: &str = "grpc-websockets";

/// What one client message means.
#[derive(Debug, PartialEq, Eq)]
pub enum ClientMessage {
    /// A gRPC frame (flags, length, message), as sent.
    Data(Bytes),
    /// The client has sent its last message.
    HalfClose,
}

/// Reads a client message after the first: `0x00` + frame, or `0x01` alone.
pub fn client_message(message: Bytes) -> Result<ClientMessage, &'static str> {
    match message.first() {
        Some(0) => Ok(ClientMessage::Data(message.slice(1..))),
        Some(1) if message.len() == 1 => Ok(ClientMessage::HalfClose),
        _ => Err("a grpc-websockets message starts with 0x00 (data) or is 0x01 (half-close)"),
    }
}

/// Parses the first client message: `key: value` lines. Keys are lower-cased; a value
/// joined with `, ` stays one value, as HTTP/1 reads it. Lines that are not valid headers
/// are refused, so nothing reaches the service unchecked.
pub fn request_headers(block: &[u8]) -> Result<HeaderMap, String> {
    let text = std::str::from_utf8(block).map_err(|_| "request metadata is not ASCII")?;
    let mut headers = HeaderMap::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| format!("request metadata line without a colon: {line:?}"))?;
        let name = HeaderName::from_bytes(key.trim().to_ascii_lowercase().as_bytes())
            .map_err(|_| format!("invalid metadata key {:?}", key.trim()))?;
        let value = HeaderValue::from_str(value.trim())
            .map_err(|_| format!("invalid value for metadata key {name}"))?;
        headers.append(name, value);
    }
    Ok(headers)
}

/// A `0x80` frame holding `headers` as an HTTP/1 header block with lower-case names.
pub fn header_frame<'a>(headers: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Bytes {
    let mut block = BytesMut::new();
    for (name, value) in headers {
        block.put_slice(name.to_ascii_lowercase().as_bytes());
        block.put_slice(b": ");
        block.put_slice(value);
        block.put_slice(b"\r\n");
    }
    let mut frame = BytesMut::with_capacity(5 + block.len());
    frame.put_u8(0x80);
    frame.put_u32(block.len() as u32);
    frame.put_slice(&block);
    frame.freeze()
}

/// The entries of an `http::HeaderMap` for [`header_frame`].
pub fn entries(headers: &HeaderMap) -> impl Iterator<Item = (&str, &[u8])> {
    headers.iter().map(|(k, v)| (k.as_str(), v.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_messages() {
        assert_eq!(
            client_message(Bytes::from_static(&[0, 0, 0, 0, 0, 1, 9])),
            Ok(ClientMessage::Data(Bytes::from_static(&[0, 0, 0, 0, 1, 9])))
        );
        assert_eq!(
            client_message(Bytes::from_static(&[1])),
            Ok(ClientMessage::HalfClose)
        );
        for bad in [&[][..], &[1, 0], &[2, 0]] {
            assert!(
                client_message(Bytes::copy_from_slice(bad)).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn request_headers_are_lines() {
        let h = request_headers(
            b"Content-Type: application/grpc-web+proto\r\nx-grpc-web: 1\r\nx-multi: a, b\r\n",
        )
        .unwrap();
        assert_eq!(h["content-type"], "application/grpc-web+proto");
        assert_eq!(h["x-multi"], "a, b");
        assert!(request_headers(b"no colon\r\n").is_err());
        assert!(request_headers(b"x: line\x01break\r\n").is_err());
        assert!(request_headers(b"bad key: v\r\n").is_err());
    }

    #[test]
    fn header_frames() {
        let f = header_frame([("Grpc-Status", &b"0"[..]), ("x-k", b"v")]);
        assert_eq!(&f[..], b"\x80\x00\x00\x00\x18grpc-status: 0\r\nx-k: v\r\n");
    }
}
