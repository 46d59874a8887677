//! What the bridge admits and how long it waits: the origin allowlist and the limits.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// Which pages may open sockets.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origins {
    list: Vec<String>,
    loopback: bool,
    same_origin: bool,
}

/// The bridge's settings: the origin allowlist and its limits.
#[derive(Debug, Clone)]
pub struct Config {
    origins: Origins,
    pub(crate) max_message_size: usize,
    pub(crate) max_buffered_messages: usize,
    pub(crate) first_message_timeout: Duration,
    pub(crate) keepalive: Duration,
    pub(crate) write_timeout: Duration,
    pub(crate) shutdown: Option<CancellationToken>,
}

impl Config {
    /// Admits pages from exactly these origins (`scheme://host[:port]`), and pages served
    /// by this same server (see [`allow_same_origin`](Self::allow_same_origin)).
    pub fn allow_origins<I: IntoIterator<Item = S>, S: Into<String>>(origins: I) -> Config {
        Config::with(Origins {
            list: origins.into_iter().map(Into::into).collect(),
            loopback: false,
            same_origin: true,
        })
    }

    /// Whether a page whose origin names the host the socket was opened to (`Origin`
    /// `http(s)://H` with `Host: H`) is admitted; on by default. Such a page could call the
    /// server with `fetch` without CORS anyway, so this admits nothing `fetch` would not.
    pub fn allow_same_origin(mut self, same_origin: bool) -> Config {
        self.origins.same_origin = same_origin;
        self
    }

    /// Development: admits pages served from loopback (`localhost`, `127.0.0.1`, `[::1]`,
    /// any port), and nothing else.
    pub fn loopback() -> Config {
        Config::allow_origins(Vec::<String>::new()).allow_loopback(true)
    }

    /// Also admits (or not) pages served from loopback, any port: for development.
    pub fn allow_loopback(mut self, loopback: bool) -> Config {
        self.origins.loopback = loopback;
        self
    }

    fn with(origins: Origins) -> Config {
        Config {
            origins,
            // gRPC's customary 4 MiB message, plus the frame header and the control byte.
            max_message_size: 4 * 1024 * 1024 + 6,
            max_buffered_messages: 16,
            first_message_timeout: Duration::from_secs(10),
            keepalive: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
            shutdown: None,
        }
    }

    /// The largest WebSocket message accepted from a client, in bytes.
    pub fn max_message_size(mut self, bytes: usize) -> Config {
        self.max_message_size = bytes;
        self
    }

    /// Request messages queued toward the service before the socket stops being read.
    pub fn max_buffered_messages(mut self, messages: usize) -> Config {
        self.max_buffered_messages = messages.max(1);
        self
    }

    /// How long a socket may be silent before the bridge pings it (30 s by default). A
    /// socket silent for twice this, the ping unanswered, is taken for dead: its call is
    /// cancelled and the connection closed. Browsers answer pings by themselves, so an
    /// open page that just waits for messages stays connected.
    pub fn keepalive(mut self, interval: Duration) -> Config {
        self.keepalive = interval.max(Duration::from_millis(10));
        self
    }

    /// How long one write to a socket may take (30 s by default): a peer that stops
    /// reading fills its TCP window, the write stalls, and past this the call is cancelled
    /// and the connection closed, rather than held with a reply buffered toward it.
    pub fn write_timeout(mut self, timeout: Duration) -> Config {
        self.write_timeout = timeout.max(Duration::from_millis(10));
        self
    }

    /// Ends open sockets with `UNAVAILABLE` when `token` is cancelled.
    pub fn shutdown(mut self, token: CancellationToken) -> Config {
        self.shutdown = Some(token);
        self
    }

    pub(crate) fn admits(&self, origin: Option<&str>, host: Option<&str>) -> bool {
        let Some(origin) = origin else { return false };
        if self.origins.same_origin && host.is_some_and(|host| is_same_origin(origin, host)) {
            return true;
        }
        if self
            .origins
            .list
            .iter()
            .any(|o| o.eq_ignore_ascii_case(origin))
        {
            return true;
        }
        self.origins.loopback && is_loopback(origin)
    }
}

/// `http://H` or `https://H` where `H` is the `Host` the socket was opened to.
fn is_same_origin(origin: &str, host: &str) -> bool {
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    authority.is_some_and(|a| !a.is_empty() && a.eq_ignore_ascii_case(host))
}

/// `http://localhost`, `http://127.0.0.1` or `http://[::1]`, with any port.
fn is_loopback(origin: &str) -> bool {
    let Some(host_port) = origin.strip_prefix("http://") else {
        return false;
    };
    let host = match host_port.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => host_port,
    };
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Config {
        fn admits_page(&self, origin: Option<&str>) -> bool {
            self.admits(origin, Some("api.example.com"))
        }
    }

    #[test]
    fn same_origin_pages_are_admitted_unless_turned_off() {
        let config = Config::allow_origins(Vec::<String>::new());
        assert!(config.admits(Some("https://api.example.com"), Some("api.example.com")));
        assert!(config.admits(Some("http://127.0.0.1:8080"), Some("127.0.0.1:8080")));
        assert!(config.admits(Some("https://API.example.com"), Some("api.example.com")));
        for (origin, host) in [
            (Some("https://evil.example.com"), Some("api.example.com")),
            (Some("https://api.example.com:444"), Some("api.example.com")),
            (Some("null"), Some("null")),
            (Some("https://"), Some("")),
            (Some("https://api.example.com"), None),
            (None, Some("api.example.com")),
        ] {
            assert!(!config.admits(origin, host), "{origin:?} {host:?}");
        }
        let off = config.allow_same_origin(false);
        assert!(!off.admits(Some("https://api.example.com"), Some("api.example.com")));
    }

    #[test]
    fn origins() {
        let list = Config::allow_origins(["https://app.example.com"]).allow_same_origin(false);
        assert!(list.admits_page(Some("https://app.example.com")));
        assert!(!list.admits_page(Some("https://evil.example.com")));
        assert!(!list.admits_page(None));
        let dev = Config::loopback();
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost",
            "http://[::1]:3000",
        ] {
            assert!(dev.admits_page(Some(ok)), "{ok}");
        }
        for bad in [
            "https://example.com",
            "http://127.0.0.1.evil.com",
            "null",
            "http://localhost.evil:80",
        ] {
            assert!(!dev.admits_page(Some(bad)), "{bad}");
        }
    }
}
