//! [`Client`]: one server's base URL and the options that apply to every call on it.

use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::header::InvalidHeader;
use crate::interceptor::Interceptor;
use crate::protocol::compression::Compression;
use crate::protocol::limits::Limits;
use crate::protocol::metadata::{InvalidMetadata, MetadataMap};

mod calls;
mod codec;

/// How request and reply bodies are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// `application/grpc-web+proto`: frames as bytes. The default, and the fastest.
    #[default]
    Binary,
    /// `application/grpc-web-text`: frames as base64, for proxies that mangle binary bodies.
    /// Needs the feature `text-mode` (on by default); without it calls fail with
    /// `UNIMPLEMENTED`.
    Text,
}

/// Whether `fetch` sends cookies and HTTP authentication (its `credentials` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credentials {
    /// Never.
    Omit,
    /// To the page's own origin only (the browser's default).
    SameOrigin,
    /// Also cross-origin; the server's CORS policy must allow credentials.
    Include,
}

#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) base_url: String,
    pub(crate) limits: Limits,
    pub(crate) max_send_message_size: usize,
    pub(crate) text: bool,
    pub(crate) timeout: Option<Duration>,
    /// `fetch`'s `credentials` option as sent; empty for the browser's default.
    pub(crate) credentials: &'static str,
    pub(crate) headers: MetadataMap,
    /// The interceptors (an `Arc<[Arc<dyn Interceptor>]>`), `None` until one is added.
    /// Behind `dyn Any`, as `retry` is, so that their drop code is linked only by
    /// [`Client::interceptor`].
    pub(crate) interceptors: Option<Arc<dyn Any + Send + Sync>>,
    /// What a client with interceptors does differently (`crate::call::Hooks`), set with
    /// the first: an app without any never links that code, nor copies a call's metadata
    /// for interceptors to change.
    pub(crate) hooks: Option<&'static crate::call::Hooks>,
    pub(crate) send_compression: Option<Compression>,
    pub(crate) accept_compression: Vec<Compression>,
    /// Retry and hedging policies by method, per-method timeouts and the retry throttle
    /// (`crate::retry::Settings`), set only by the retry options. Held as `dyn Any` so that
    /// their drop code is reached through a vtable those options make: an app that never
    /// sets them does not link it (160 B gzipped of the minimal app, `bench/FINDINGS.md`).
    pub(crate) retry: Option<Arc<dyn std::any::Any + Send + Sync>>,
    /// How calls start while a retry config is set (`crate::retry::Start`).
    pub(crate) retry_start: Option<crate::retry::Start>,
}

impl Config {
    /// The interceptors, in the order they were added.
    pub(crate) fn interceptors(&self) -> &[Arc<dyn Interceptor>] {
        self.interceptor_list().map_or(&[], |list| list)
    }

    /// The interceptors as shared, `None` if there are none.
    pub(crate) fn interceptor_list(&self) -> Option<&Arc<[Arc<dyn Interceptor>]>> {
        self.interceptors.as_deref()?.downcast_ref()
    }
}

/// A gRPC-Web client for one server. Cheap to clone, `Send` and `Sync`.
///
/// Limits are on by default: messages over 4 MiB are refused in both directions
/// (`RESOURCE_EXHAUSTED`), before anything is allocated for them.
///
/// ```
/// use std::time::Duration;
/// use grpc_web_wasm::{Client, Compression, Mode};
///
/// let client = Client::new("https://api.example.com/grpc")
///     .mode(Mode::Text)
///     .timeout(Duration::from_secs(10))
///     .accept_compressed(Compression::Gzip)
///     .header("x-api-key", "k-123")
///     .unwrap();
/// ```
#[derive(Clone)]
pub struct Client {
    config: Arc<Config>,
}

impl Client {
    /// A client for the server at `base_url`, e.g. `"https://api.example.com"` or
    /// `"http://127.0.0.1:50051"`. It may have a path prefix (`https://example.com/api`);
    /// method paths are appended to it.
    pub fn new(base_url: impl Into<String>) -> Client {
        let limits = Limits::default();
        Client {
            config: Arc::new(Config {
                base_url: base_url.into(),
                limits,
                max_send_message_size: limits.max_message_size,
                text: false,
                timeout: None,
                credentials: "",
                headers: MetadataMap::new(),
                interceptors: None,
                hooks: None,
                send_compression: None,
                accept_compression: Vec::new(),
                retry: None,
                retry_start: None,
            }),
        }
    }

    pub(crate) fn with(mut self, change: impl FnOnce(&mut Config)) -> Client {
        change(Arc::make_mut(&mut self.config));
        self
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    /// Binary (the default) or text mode.
    pub fn mode(self, mode: Mode) -> Client {
        self.with(|c| c.text = mode == Mode::Text)
    }

    /// A deadline for every call that does not set its own
    /// ([`Request::set_timeout`](crate::Request::set_timeout)).
    pub fn timeout(self, timeout: Duration) -> Client {
        self.with(|c| c.timeout = Some(timeout))
    }

    /// `fetch`'s credentials mode for every call.
    pub fn credentials(self, credentials: Credentials) -> Client {
        self.with(|c| {
            c.credentials = match credentials {
                Credentials::Omit => "omit",
                Credentials::SameOrigin => "same-origin",
                Credentials::Include => "include",
            }
        })
    }

    /// A header sent with every call, before each request's own metadata. A refused key
    /// or value gives the client back unchanged ([`InvalidHeader::into_client`]).
    pub fn header(self, key: &str, value: &str) -> Result<Client, InvalidHeader> {
        self.add_header(|h| h.append(key, value))
    }

    /// A binary (`-bin`) header sent with every call; refused as [`header`](Self::header).
    pub fn header_bin(self, key: &str, value: &[u8]) -> Result<Client, InvalidHeader> {
        self.add_header(|h| h.append_bin(key, value))
    }

    fn add_header(
        self,
        add: impl FnOnce(&mut MetadataMap) -> Result<(), InvalidMetadata>,
    ) -> Result<Client, InvalidHeader> {
        let mut headers = self.config.headers.clone();
        match add(&mut headers) {
            Ok(()) => Ok(self.with(|c| c.headers = headers)),
            Err(error) => Err(InvalidHeader {
                client: self,
                error,
            }),
        }
    }

    /// The headers sent with every call.
    pub fn headers(&self) -> &MetadataMap {
        &self.config.headers
    }

    /// The headers sent with every call, for changing in place (clones made earlier keep
    /// theirs): `client.headers_mut().insert("x-api-key", key)?`.
    pub fn headers_mut(&mut self) -> &mut MetadataMap {
        &mut Arc::make_mut(&mut self.config).headers
    }

    /// Adds an interceptor; interceptors run in the order they were added.
    pub fn interceptor(self, interceptor: impl Interceptor) -> Client {
        self.with(|c| {
            let mut all: Vec<Arc<dyn Interceptor>> = c.interceptors().to_vec();
            all.push(Arc::new(interceptor));
            let all: Arc<[Arc<dyn Interceptor>]> = all.into();
            c.interceptors = Some(Arc::new(all));
            c.hooks = Some(&crate::call::HOOKS);
        })
    }

    /// Compresses request messages with `compression` (`grpc-encoding`). The server must
    /// support it, or it answers `UNIMPLEMENTED`; a scheme this build lacks (see
    /// [`Compression::is_available`]) fails each call with `INTERNAL`.
    pub fn send_compressed(self, compression: Compression) -> Client {
        self.with(|c| c.send_compression = Some(compression))
    }

    /// Lets the server compress replies with `compression` (`grpc-accept-encoding`).
    /// Compressed replies are decoded whatever was announced, if the scheme is supported.
    /// A scheme this build lacks is not announced.
    pub fn accept_compressed(self, compression: Compression) -> Client {
        self.with(|c| {
            if !c.accept_compression.contains(&compression) {
                c.accept_compression.push(compression);
            }
        })
    }

    /// Largest reply message accepted, in bytes (after decompression). Default 4 MiB.
    pub fn max_decoding_message_size(self, bytes: usize) -> Client {
        self.with(|c| c.limits.max_message_size = bytes)
    }

    /// Largest request message sent, in bytes. Default 4 MiB.
    pub fn max_encoding_message_size(self, bytes: usize) -> Client {
        self.with(|c| c.max_send_message_size = bytes)
    }

    /// Largest trailer block, and largest set of response headers, accepted. Default 64 KiB.
    pub fn max_metadata_size(self, bytes: usize) -> Client {
        self.with(|c| {
            c.limits.max_trailers_size = bytes;
            c.limits.max_headers_size = bytes;
        })
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.config;
        f.debug_struct("Client")
            .field("base_url", &c.base_url)
            .field("text", &c.text)
            .field("timeout", &c.timeout)
            .field("limits", &c.limits)
            .field("interceptors", &c.interceptors().len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frameworks keep shared state only if it is `Send + Sync` (Leptos' `provide_context`):
    /// a client with interceptors must stay so.
    #[test]
    fn a_client_with_interceptors_is_send_and_sync() {
        fn shareable<T: Send + Sync + 'static>(_: &T) {}
        let client =
            Client::new("https://api.example.com").interceptor(|_: &mut crate::RequestHead| Ok(()));
        shareable(&client);
    }
}
