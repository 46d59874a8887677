//! Just enough gRPC-Web over HTTP/1.1 for the soak's load: one call per connection
//! (`connection: close`), its reply read whole, de-chunked and split into frames.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A reply: its data frames' payloads and its status.
#[derive(Debug)]
pub struct Reply {
    /// Payloads of the data frames, in order.
    pub messages: Vec<Vec<u8>>,
    /// `grpc-status`, from the trailer frame or (trailers-only) the headers.
    pub status: Option<u32>,
}

/// Calls `path` on `addr` with `message` (unframed protobuf) as binary gRPC-Web; the whole
/// call must finish within `limit`.
pub fn call(addr: &str, path: &str, message: &[u8], limit: Duration) -> Result<Reply, String> {
    let mut s = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(limit)).map_err(|e| e.to_string())?;
    s.set_write_timeout(Some(limit))
        .map_err(|e| e.to_string())?;
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\
         content-type: application/grpc-web+proto\r\nx-grpc-web: 1\r\n\
         content-length: {}\r\n\r\n",
        message.len() + 5
    )
    .into_bytes();
    request.push(0);
    request.extend_from_slice(&(message.len() as u32).to_be_bytes());
    request.extend_from_slice(message);
    s.write_all(&request).map_err(|e| format!("send: {e}"))?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| format!("read: {e}"))?;
    parse(&raw)
}

fn parse(raw: &[u8]) -> Result<Reply, String> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of head")?;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    if !head.starts_with("http/1.1 200") {
        return Err(format!("status line {:?}", head.lines().next()));
    }
    let header_status = head
        .lines()
        .find_map(|l| l.strip_prefix("grpc-status:"))
        .and_then(|v| v.trim().parse().ok());
    let mut body = raw[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body)?;
    }
    let mut reply = Reply {
        messages: Vec::new(),
        status: header_status,
    };
    let mut rest = &body[..];
    while !rest.is_empty() {
        if rest.len() < 5 {
            return Err("body ends inside a frame header".into());
        }
        let len = u32::from_be_bytes([rest[1], rest[2], rest[3], rest[4]]) as usize;
        let payload = rest.get(5..5 + len).ok_or("body ends inside a frame")?;
        if rest[0] & 0x80 != 0 {
            reply.status = String::from_utf8_lossy(payload)
                .lines()
                .find_map(|l| l.trim().strip_prefix("grpc-status:"))
                .and_then(|v| v.trim().parse().ok());
        } else {
            reply.messages.push(payload.to_vec());
        }
        rest = &rest[5 + len..];
    }
    Ok(reply)
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("no chunk size line")?;
        let size = std::str::from_utf8(&data[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
            .ok_or("bad chunk size")?;
        if size == 0 {
            return Ok(out);
        }
        let chunk = data
            .get(eol + 2..eol + 2 + size)
            .ok_or("body ends inside a chunk")?;
        out.extend_from_slice(chunk);
        data = data
            .get(eol + 2 + size + 2..)
            .ok_or("body ends after a chunk")?;
    }
}

/// A protobuf varint field.
pub fn varint_field(field: u32, mut n: u64, out: &mut Vec<u8>) {
    out.push((field << 3) as u8);
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A protobuf string field (under 128 bytes).
pub fn string_field(field: u32, s: &str, out: &mut Vec<u8>) {
    assert!(s.len() < 0x80);
    out.push(((field << 3) | 2) as u8);
    out.push(s.len() as u8);
    out.extend_from_slice(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_chunked_frames_and_the_trailer_status() {
        let body = b"\x00\x00\x00\x00\x02hi\x80\x00\x00\x00\x0egrpc-status:0\n";
        let mut raw = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
        raw.extend_from_slice(format!("{:x}\r\n", body.len()).as_bytes());
        raw.extend_from_slice(body);
        raw.extend_from_slice(b"\r\n0\r\n\r\n");
        let reply = parse(&raw).unwrap();
        assert_eq!(reply.messages, [b"hi".to_vec()]);
        assert_eq!(reply.status, Some(0));
        let only = parse(b"HTTP/1.1 200 OK\r\ngrpc-status: 12\r\ncontent-length: 0\r\n\r\n");
        assert_eq!(only.unwrap().status, Some(12));
        assert!(parse(b"HTTP/1.1 503 Busy\r\n\r\n").is_err());
    }

    #[test]
    fn encodes_fields() {
        let mut m = Vec::new();
        varint_field(2, 300, &mut m);
        string_field(1, "ab", &mut m);
        assert_eq!(m, [0x10, 0xac, 0x02, 0x0a, 2, b'a', b'b']);
    }
}
