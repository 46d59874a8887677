//! Serve any tonic gRPC service to browsers over WebSockets, on the port it already
//! listens on, so a web page can make client-streaming and bidirectional calls, which
//! gRPC-Web over `fetch` cannot carry.
//!
//! The wire format is the `grpc-websockets` protocol of improbable-eng/grpc-web (its
//! `grpcwebproxy --use_websockets` and Go wrapper speak it), described in [`frames`]. Each
//! socket carries one call; the bridge turns it into a native gRPC request to your service,
//! so every method (all four patterns) works unchanged.
//!
//! One line in a tonic server: wrap the connections it accepts.
//!
//! ```no_run
//! # async fn run(routes: tonic::service::Routes) -> Result<(), Box<dyn std::error::Error>> {
//! use grpc_websockets::Config;
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:50051").await?;
//! let config = Config::allow_origins(["https://app.example.com"]);
//! tonic::transport::Server::builder()
//!     .accept_http1(true)
//!     .add_routes(routes.clone())
//!     .serve_with_incoming(grpc_websockets::incoming(listener, routes, config))
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! Connections that are not `grpc-websockets` upgrades (h2c, gRPC-Web, HTTP/1.1, TLS) reach
//! the server untouched: their first bytes are peeked at, never consumed. A WebSocket is not
//! subject to CORS, so the bridge checks `Origin` itself, against an allowlist (and pages
//! the server itself serves), before the upgrade. Limits: message size, messages buffered
//! toward the service (then the socket is not read, and TCP pushes back), time to the first
//! message, and a keepalive ping that drops sockets whose peer is gone. With
//! [`Config::shutdown`], open sockets end with an `UNAVAILABLE` trailer when it fires.
//!
//! Limitation: sockets are bridged before any TLS, so `wss://` needs TLS terminated in front
//! of the server (a proxy) rather than by tonic.

mod bridge;
mod config;
pub mod frames;
mod sniff;

pub use config::Config;

use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use http::{Request, Response};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request as Upgrade};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tower_service::Service;

/// The bridge for servers that accept connections themselves: [`route`](Self::route) each
/// accepted connection.
#[derive(Debug, Clone)]
pub struct Bridge<S> {
    service: S,
    config: Config,
}

impl<S, B> Bridge<S>
where
    S: Service<Request<tonic::body::Body>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: std::fmt::Display + Send,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: std::fmt::Display + Send,
{
    /// A bridge serving upgrades with `service`.
    pub fn new(service: S, config: Config) -> Bridge<S> {
        Bridge { service, config }
    }

    /// Looks at a freshly accepted connection: a `grpc-websockets` upgrade is served here,
    /// to its end, and `None` comes back; any other connection comes back untouched, for
    /// the HTTP server.
    pub async fn route(self, stream: TcpStream) -> Option<TcpStream> {
        match sniff::sniff(&stream).await {
            sniff::Sniffed::Other => Some(stream),
            sniff::Sniffed::Upgrade => {
                upgrade(stream, self.service, self.config).await;
                None
            }
        }
    }
}

/// Connections for a tonic server, with `grpc-websockets` upgrades taken out and served by
/// `service`: pass it to `Server::serve_with_incoming`.
pub fn incoming<S, B>(
    listener: TcpListener,
    service: S,
    config: Config,
) -> impl Stream<Item = std::io::Result<TcpStream>> + Send + 'static
where
    S: Service<Request<tonic::body::Body>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: std::fmt::Display + Send,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: std::fmt::Display + Send,
{
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(async move {
        loop {
            let accepted = listener.accept().await;
            let stream = match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors and the like: report, pause, keep accepting.
                    tracing::warn!(error = %e, "accept failed");
                    if tx.send(Err(e)).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let (tx, bridge) = (tx.clone(), Bridge::new(service.clone(), config.clone()));
            tokio::spawn(async move {
                if let Some(stream) = bridge.route(stream).await {
                    let _ = tx.send(Ok(stream)).await;
                }
            });
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx).map(|s| s)
}

/// The WebSocket handshake, refusing origins the config does not admit, then the call.
// The callback's error type is tungstenite's HTTP response, large by nature.
#[allow(clippy::result_large_err)]
async fn upgrade<S, B>(stream: TcpStream, service: S, config: Config)
where
    S: Service<Request<tonic::body::Body>, Response = Response<B>> + Send + 'static,
    S::Future: Send,
    S::Error: std::fmt::Display + Send,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: std::fmt::Display + Send,
{
    let mut path = String::new();
    let check =
        |request: &Upgrade,
         mut response: tokio_tungstenite::tungstenite::handshake::server::Response| {
            let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
            let origin = header("origin");
            if !config.admits(origin, header("host")) {
                tracing::info!(origin = ?origin, "grpc-websockets: origin refused");
                let mut refused = ErrorResponse::new(Some("origin not allowed".into()));
                *refused.status_mut() = http::StatusCode::FORBIDDEN;
                return Err(refused);
            }
            path = request.uri().path().to_owned();
            response.headers_mut().insert(
                "sec-websocket-protocol",
                http::HeaderValue::from_static(frames::PROTOCOL),
            );
            Ok(response)
        };
    let mut ws_config = WebSocketConfig::default();
    ws_config.max_message_size = Some(config.max_message_size);
    ws_config.max_frame_size = Some(config.max_message_size);
    let accepted =
        tokio_tungstenite::accept_hdr_async_with_config(stream, check, Some(ws_config)).await;
    match accepted {
        Ok(ws) => {
            // One span per call, as an HTTP server's trace layer gives each request; the
            // call's end is logged in it with its status.
            let span = tracing::info_span!("grpc-websockets", path = %path);
            tracing::Instrument::instrument(bridge::serve(ws, path, service, config), span).await
        }
        Err(e) => tracing::debug!(error = %e, "grpc-websockets handshake failed"),
    }
}
