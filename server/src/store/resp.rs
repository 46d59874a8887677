//! Just enough of Redis's wire protocol (RESP2) for the shared store: commands go out as
//! arrays of bulk strings, replies are read back as [`Value`]s, with limits so that a
//! broken peer cannot make the server allocate without bound.

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The largest bulk string or array accepted in a reply.
const MAX_LEN: usize = 64 << 20;
/// The deepest nesting of arrays accepted.
const MAX_DEPTH: usize = 4;

/// A reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `+OK`.
    Simple(String),
    /// `-ERR ...`: the command failed.
    Error(String),
    /// `:42`.
    Int(i64),
    /// `$3\r\nabc` or the null bulk string.
    Bulk(Option<Vec<u8>>),
    /// `*2\r\n...` or the null array.
    Array(Option<Vec<Value>>),
}

/// A failed exchange: the connection is not to be used again.
pub type Error = std::io::Error;

fn invalid(what: impl Into<String>) -> Error {
    Error::new(std::io::ErrorKind::InvalidData, what.into())
}

/// A command as RESP: an array of bulk strings.
pub fn encode(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Writes a command.
pub async fn send(out: &mut (impl AsyncWrite + Unpin), args: &[&[u8]]) -> Result<(), Error> {
    out.write_all(&encode(args)).await?;
    out.flush().await
}

/// Reads one reply.
pub async fn read(input: &mut (impl AsyncBufRead + Unpin)) -> Result<Value, Error> {
    read_at(input, 0).await
}

async fn read_at(input: &mut (impl AsyncBufRead + Unpin), depth: usize) -> Result<Value, Error> {
    let line = read_line(input).await?;
    let (kind, rest) = line.split_at(1);
    match kind {
        "+" => Ok(Value::Simple(rest.to_owned())),
        "-" => Ok(Value::Error(rest.to_owned())),
        ":" => rest
            .parse()
            .map(Value::Int)
            .map_err(|_| invalid(format!("bad integer {rest:?}"))),
        "$" => match length(rest)? {
            None => Ok(Value::Bulk(None)),
            Some(len) => {
                let mut data = vec![0; len + 2];
                input.read_exact(&mut data).await?;
                if !data.ends_with(b"\r\n") {
                    return Err(invalid("bulk string without its CRLF"));
                }
                data.truncate(len);
                Ok(Value::Bulk(Some(data)))
            }
        },
        "*" => match length(rest)? {
            None => Ok(Value::Array(None)),
            Some(_) if depth >= MAX_DEPTH => Err(invalid("arrays nested too deep")),
            Some(len) => {
                let mut items = Vec::with_capacity(len.min(1024));
                for _ in 0..len {
                    items.push(Box::pin(read_at(input, depth + 1)).await?);
                }
                Ok(Value::Array(Some(items)))
            }
        },
        _ => Err(invalid(format!("unknown reply type {kind:?}"))),
    }
}

/// A length, `-1` for null, bounded by [`MAX_LEN`].
fn length(text: &str) -> Result<Option<usize>, Error> {
    if text == "-1" {
        return Ok(None);
    }
    match text.parse::<usize>() {
        Ok(n) if n <= MAX_LEN => Ok(Some(n)),
        _ => Err(invalid(format!("bad length {text:?}"))),
    }
}

/// A line without its CRLF; not empty, at most 64 KiB.
async fn read_line(input: &mut (impl AsyncBufRead + Unpin)) -> Result<String, Error> {
    let mut line = Vec::new();
    let n = (&mut *input)
        .take(64 * 1024)
        .read_until(b'\n', &mut line)
        .await?;
    if n == 0 {
        return Err(Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "Redis closed the connection",
        ));
    }
    if !line.ends_with(b"\r\n") || line.len() < 3 {
        return Err(invalid("bad reply line"));
    }
    line.truncate(line.len() - 2);
    String::from_utf8(line).map_err(|_| invalid("reply line is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn parse(bytes: &[u8]) -> Result<Value, Error> {
        read(&mut tokio::io::BufReader::new(bytes)).await
    }

    #[test]
    fn commands_are_arrays_of_bulk_strings() {
        assert_eq!(encode(&[b"GET", b"k"]), b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
        assert_eq!(
            encode(&[b"SET", b"", b"a\r\nb"]),
            b"*3\r\n$3\r\nSET\r\n$0\r\n\r\n$4\r\na\r\nb\r\n"
        );
    }

    #[tokio::test]
    async fn replies_of_every_kind_parse() {
        assert_eq!(parse(b"+OK\r\n").await.unwrap(), Value::Simple("OK".into()));
        assert_eq!(
            parse(b"-ERR no\r\n").await.unwrap(),
            Value::Error("ERR no".into())
        );
        assert_eq!(parse(b":-3\r\n").await.unwrap(), Value::Int(-3));
        assert_eq!(parse(b"$-1\r\n").await.unwrap(), Value::Bulk(None));
        assert_eq!(
            parse(b"$4\r\na\r\nb\r\n").await.unwrap(),
            Value::Bulk(Some(b"a\r\nb".to_vec()))
        );
        assert_eq!(
            parse(b"*2\r\n$1\r\nx\r\n:1\r\n").await.unwrap(),
            Value::Array(Some(vec![Value::Bulk(Some(b"x".to_vec())), Value::Int(1)]))
        );
    }

    #[tokio::test]
    async fn broken_replies_are_errors_not_panics_or_huge_allocations() {
        for bad in [
            &b""[..],
            b"\r\n",
            b"?x\r\n",
            b":x\r\n",
            b"$99999999999\r\n",
            b"$3\r\nab",
            b"$2\r\nabcd",
            b"*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n",
            b"+no newline",
        ] {
            assert!(
                parse(bad).await.is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
