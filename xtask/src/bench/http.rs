//! Just enough HTTP/1.1 for the bench's own servers: one request or response read whole,
//! as the exact bytes that crossed the wire, with `content-length` or chunked framing.

use std::io::{self, BufRead, Read};

/// Largest head accepted (request line or status line and headers).
const MAX_HEAD: usize = 64 * 1024;
/// Largest body accepted: above the 1 GB memory stream, which is never recorded.
const MAX_BODY: u64 = 512 * 1024 * 1024;

/// Which side sent the message: it decides whether a message without a length has a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A request: no length means no body.
    Request,
    /// A response: no length means the body runs to the end of the connection.
    Response,
}

/// One message, its raw bytes and where its body starts.
#[derive(Debug)]
pub struct Message {
    /// The bytes as read, head and (framed) body.
    pub raw: Vec<u8>,
    head_len: usize,
    /// The request line or status line.
    pub start_line: String,
    headers: Vec<(String, String)>,
}

impl Message {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as framed on the wire (for chunked messages, with the chunk lines).
    pub fn body(&self) -> &[u8] {
        &self.raw[self.head_len..]
    }

    /// `(method, path)` of a request.
    pub fn method_path(&self) -> (&str, &str) {
        let mut parts = self.start_line.split(' ');
        (parts.next().unwrap_or(""), parts.next().unwrap_or(""))
    }
}

/// Reads one message; `Ok(None)` if the peer closed the connection before it began.
pub fn read(r: &mut impl BufRead, side: Side) -> io::Result<Option<Message>> {
    let mut raw = Vec::new();
    let mut lines = Vec::new();
    loop {
        let start = raw.len();
        if r.read_until(b'\n', &mut raw)? == 0 {
            return if raw.is_empty() {
                Ok(None)
            } else {
                Err(bad("connection closed inside a message head"))
            };
        }
        if raw.len() > MAX_HEAD {
            return Err(bad("message head too large"));
        }
        let line = String::from_utf8_lossy(&raw[start..])
            .trim_end()
            .to_string();
        if line.is_empty() {
            break;
        }
        lines.push(line);
    }
    let head_len = raw.len();
    let mut lines = lines.into_iter();
    let start_line = lines.next().ok_or_else(|| bad("empty message head"))?;
    let headers = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    let mut message = Message {
        raw,
        head_len,
        start_line,
        headers,
    };
    read_body(r, side, &mut message)?;
    Ok(Some(message))
}

fn read_body(r: &mut impl BufRead, side: Side, m: &mut Message) -> io::Result<()> {
    let status = m.start_line.split(' ').nth(1).unwrap_or("");
    if side == Side::Response && (status.starts_with('1') || status == "204" || status == "304") {
        return Ok(());
    }
    let chunked = m
        .header("transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    if chunked {
        return read_chunked(r, &mut m.raw);
    }
    if let Some(len) = m.header("content-length") {
        let len: u64 = len.parse().map_err(|_| bad("bad content-length"))?;
        if len > MAX_BODY {
            return Err(bad("body too large"));
        }
        let before = m.raw.len();
        r.take(len).read_to_end(&mut m.raw)?;
        if (m.raw.len() - before) as u64 != len {
            return Err(bad("connection closed inside a body"));
        }
        return Ok(());
    }
    if side == Side::Response {
        r.take(MAX_BODY).read_to_end(&mut m.raw)?;
    }
    Ok(())
}

fn read_chunked(r: &mut impl BufRead, raw: &mut Vec<u8>) -> io::Result<()> {
    let mut total = 0u64;
    loop {
        let start = raw.len();
        r.read_until(b'\n', raw)?;
        let line = String::from_utf8_lossy(&raw[start..]).to_string();
        let size = line.trim().split(';').next().unwrap_or("");
        let size = u64::from_str_radix(size.trim(), 16).map_err(|_| bad("bad chunk size"))?;
        total += size;
        if total > MAX_BODY {
            return Err(bad("body too large"));
        }
        if size == 0 {
            // Trailer fields, then the empty line.
            loop {
                let start = raw.len();
                if r.read_until(b'\n', raw)? == 0 || raw[start..].trim_ascii().is_empty() {
                    return Ok(());
                }
            }
        }
        let before = raw.len();
        r.take(size + 2).read_to_end(raw)?;
        if (raw.len() - before) as u64 != size + 2 {
            return Err(bad("connection closed inside a chunk"));
        }
    }
}

fn bad(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_chunked_response_byte_exact_and_then_the_next() {
        let wire = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
        let mut r = io::BufReader::new(&wire[..]);
        let first = read(&mut r, Side::Response).unwrap().unwrap();
        assert_eq!(first.raw.len(), wire.len() - 27);
        assert_eq!(first.body(), b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n");
        let second = read(&mut r, Side::Response).unwrap().unwrap();
        assert_eq!(second.start_line, "HTTP/1.1 204 No Content");
        assert!(read(&mut r, Side::Response).unwrap().is_none());
    }

    #[test]
    fn reads_request_with_content_length() {
        let wire = b"POST /a/B HTTP/1.1\r\nContent-Length: 4\r\nContent-Type: x\r\n\r\nabcdGET";
        let mut r = io::BufReader::new(&wire[..]);
        let m = read(&mut r, Side::Request).unwrap().unwrap();
        assert_eq!(m.method_path(), ("POST", "/a/B"));
        assert_eq!(m.header("content-type"), Some("x"));
        assert_eq!(m.body(), b"abcd");
    }

    #[test]
    fn truncated_body_is_an_error() {
        let wire = b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc";
        let mut r = io::BufReader::new(&wire[..]);
        assert!(read(&mut r, Side::Response).is_err());
    }
}
