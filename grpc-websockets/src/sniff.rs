//! Telling a `grpc-websockets` upgrade from every other connection before the HTTP server
//! sees a byte: the request head is peeked at, never consumed, so other connections reach
//! the server as they came (h2c, gRPC-Web POSTs, TLS, static files).

use std::time::Duration;

use tokio::net::TcpStream;

/// How long a connection may stay silent before it is handed on as is (the server's own
/// idle timeout then applies): browsers send a request as soon as they connect.
const FIRST_BYTES_TIME: Duration = Duration::from_secs(1);
/// How long a connection may take to send the head of a GET before it is handed on as is.
const HEAD_TIME: Duration = Duration::from_secs(5);
/// The most of a request head that is looked at.
const HEAD_BYTES: usize = 8 * 1024;

/// What a connection's first bytes say.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// An upgrade to `grpc-websockets`.
    Upgrade,
    /// Anything else: the HTTP server's.
    Other,
}

/// Peeks at `stream` until its first request head shows what it is.
pub(crate) async fn sniff(stream: &TcpStream) -> Sniffed {
    let mut buf = vec![0; HEAD_BYTES];
    let first = tokio::time::timeout(FIRST_BYTES_TIME, stream.peek(&mut buf[..1])).await;
    if !matches!(first, Ok(Ok(1))) {
        return Sniffed::Other;
    }
    let deadline = tokio::time::Instant::now() + HEAD_TIME;
    loop {
        let n = match tokio::time::timeout_at(deadline, stream.peek(&mut buf)).await {
            Ok(Ok(n)) => n,
            _ => return Sniffed::Other,
        };
        match classify(&buf[..n]) {
            Some(sniffed) => return sniffed,
            None if n == buf.len() || tokio::time::Instant::now() >= deadline => {
                return Sniffed::Other
            }
            // Peeking again returns the same bytes until more arrive.
            None => tokio::time::sleep(Duration::from_millis(2)).await,
        }
    }
}

/// `None` while the head is incomplete and could still be an upgrade.
pub(crate) fn classify(start: &[u8]) -> Option<Sniffed> {
    if start.is_empty() {
        return Some(Sniffed::Other);
    }
    let get = b"GET ";
    let n = start.len().min(get.len());
    if start[..n] != get[..n] {
        return Some(Sniffed::Other);
    }
    let end = start.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&start[..end]).ok()?;
    let has = |name: &str, token: &str| {
        head.split("\r\n").skip(1).any(|line| {
            line.split_once(':').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case(name)
                    && v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token))
            })
        })
    };
    Some(
        if has("upgrade", "websocket") && has("sec-websocket-protocol", crate::frames::PROTOCOL) {
            Sniffed::Upgrade
        } else {
            Sniffed::Other
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upgrades_are_told_from_everything_else() {
        let upgrade = b"GET /p.S/M HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: grpc-websockets\r\n\r\n";
        assert_eq!(classify(upgrade), Some(Sniffed::Upgrade));
        // Incomplete: wait for more.
        assert_eq!(classify(&upgrade[..40]), None);
        assert_eq!(classify(b"GE"), None);
        for other in [
            &b"POST /p.S/M HTTP/1.1\r\n"[..],
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            b"\x16\x03\x01",
            b"GET /index.html HTTP/1.1\r\nHost: h\r\n\r\n",
            b"GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: chat\r\n\r\n",
            b"",
        ] {
            assert_eq!(classify(other), Some(Sniffed::Other), "{other:?}");
        }
    }
}
