//! The shared store's connection to Redis: one connection for commands, opened on first use
//! and reopened after a failure, and dedicated connections for pub/sub.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::BufStream;
use tokio::net::TcpStream;
use tokio::sync::Mutex;
use tonic::Status;

use super::resp::{self, Value};

/// How long a command may take, connecting included, before the store is unavailable.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(5);

/// A Redis server, by address.
#[derive(Debug, Clone)]
pub struct Redis {
    addr: Arc<str>,
    conn: Arc<Mutex<Option<BufStream<TcpStream>>>>,
}

impl Redis {
    /// The Redis at `url`: `redis://HOST:PORT` (a trailing `/` or `/0` is allowed).
    pub fn from_url(url: &str) -> Result<Redis, String> {
        let rest = url
            .strip_prefix("redis://")
            .ok_or_else(|| format!("{url:?}: want redis://HOST:PORT"))?;
        let addr = rest.trim_end_matches("/0").trim_end_matches('/');
        let valid = addr
            .rsplit_once(':')
            .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
        if !valid || addr.contains(['/', '@', '?']) {
            return Err(format!("{url:?}: want redis://HOST:PORT"));
        }
        Ok(Redis {
            addr: addr.into(),
            conn: Arc::default(),
        })
    }

    /// Its `HOST:PORT`.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// Runs one command. A Redis error is `INTERNAL`; an unreachable or broken Redis is
    /// `UNAVAILABLE` (a stale connection is replaced once first).
    pub async fn call(&self, args: &[&[u8]]) -> Result<Value, Status> {
        let mut conn = self.conn.lock().await;
        for _ in 0..2 {
            let reused = conn.is_some();
            let stream = match conn.as_mut() {
                Some(stream) => stream,
                None => conn.insert(self.connect().await?),
            };
            let exchange = async {
                resp::send(stream, args).await?;
                resp::read(stream).await
            };
            match tokio::time::timeout(COMMAND_TIMEOUT, exchange).await {
                Ok(Ok(Value::Error(e))) => {
                    return Err(Status::internal(format!("shared store: {e}")))
                }
                Ok(Ok(value)) => return Ok(value),
                Ok(Err(e)) => {
                    *conn = None;
                    tracing::warn!(error = %e, "shared store connection failed");
                    if !reused {
                        break;
                    }
                }
                Err(_) => {
                    *conn = None;
                    break;
                }
            }
        }
        Err(unavailable())
    }

    /// A new connection, for commands or for pub/sub.
    pub async fn connect(&self) -> Result<BufStream<TcpStream>, Status> {
        match tokio::time::timeout(COMMAND_TIMEOUT, TcpStream::connect(&*self.addr)).await {
            Ok(Ok(stream)) => {
                let _ = stream.set_nodelay(true);
                Ok(BufStream::new(stream))
            }
            Ok(Err(e)) => {
                tracing::warn!(addr = %self.addr, error = %e, "cannot reach the shared store");
                Err(unavailable())
            }
            Err(_) => Err(unavailable()),
        }
    }
}

fn unavailable() -> Status {
    Status::unavailable("the shared store (Redis) is unreachable")
}

/// A bulk string's bytes, if `value` is one.
pub fn bulk(value: Value) -> Option<Vec<u8>> {
    match value {
        Value::Bulk(b) => b,
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_host_and_port() {
        for good in [
            "redis://127.0.0.1:6379",
            "redis://localhost:1/",
            "redis://h:2/0",
        ] {
            assert!(Redis::from_url(good).is_ok(), "{good}");
        }
        assert_eq!(Redis::from_url("redis://h:2/").unwrap().addr(), "h:2");
        for bad in [
            "127.0.0.1:6379",
            "redis://h",
            "redis://:1",
            "redis://h:x",
            "redis://u@h:1",
            "redis://h:1/2",
        ] {
            assert!(Redis::from_url(bad).is_err(), "{bad}");
        }
    }
}
