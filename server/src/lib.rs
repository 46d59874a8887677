//! The grpc-web-wasm demo server: tonic serving native gRPC and gRPC-Web (HTTP/1.1 and h2c,
//! binary and text) on one port, with CORS, health, reflection, limits, optional TLS and
//! bearer auth, and the demo UI's static files. `main.rs` parses flags and calls [`serve`].

pub mod admission;
pub mod assets;
pub mod auth;
pub mod calls;
pub mod cardinality;
pub mod config;
pub mod conn;
pub mod listener;
pub mod resources;
pub mod services;
pub mod store;
pub mod timeout;
pub mod tracking;
pub mod web;

use std::future::Future;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tonic::transport::{Identity, Server, ServerTlsConfig};
use tonic_health::server::HealthReporter;
use tonic_health::ServingStatus;
use tower_http::trace::{DefaultMakeSpan, DefaultOnFailure, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::Config;
use crate::conn::Timeouts;
use crate::listener::Listener;
use crate::services::chat::{Chat, Hub};
use crate::services::interop::Interop;
use crate::services::scores::Scores;
use crate::services::telemetry::Telemetry;
use crate::services::users::{UserStore, Users};
use crate::store::StoreChoice;
use crate::tracking::TrackCallsLayer;

/// Concurrent HTTP/2 streams per connection.
const MAX_STREAMS_PER_CONNECTION: u32 = 100;

/// Largest HTTP/2 header list accepted (hyper's default, made explicit). A larger list
/// gets `431` and a stream reset, the connection staying open — as long as its block
/// comes in at most 5 frames. h2 (0.4) counts a block needing more CONTINUATION frames
/// than `limit / frame size * 1.25` (at least 5) as a CONTINUATION flood and closes the
/// connection (GOAWAY `ENHANCE_YOUR_CALM`), so a 1 MiB list in 16 KiB frames closes it.
/// That count is not configurable apart from this limit: keeping such connections open
/// would take a limit of about 820 KiB, i.e. accepting lists that large on every stream.
const MAX_HEADER_LIST_SIZE: u32 = 16 * 1024;

/// What can stop the server from starting or serving.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Every service this server offers, as one set of routes, with health marked serving.
pub async fn routes(config: &Config) -> Result<(Routes, HealthReporter), Error> {
    let max = config.max_message_size;
    let (store, hub) = match &config.store {
        StoreChoice::Memory => (UserStore::seeded(), Hub::default()),
        StoreChoice::Redis(url) => {
            let redis = crate::store::Redis::from_url(url)?;
            let store = UserStore::seeded_in(redis.clone()).await?;
            let hub = Hub::default();
            let relay = crate::store::chat::start(redis, hub.clone());
            (store, hub.with_relay(relay))
        }
    };
    let users = Users::new(store, config.auth_token.as_deref())
        .into_service()
        .max_decoding_message_size(max)
        .max_encoding_message_size(max);
    let scores = Scores
        .into_service()
        .max_decoding_message_size(max)
        .max_encoding_message_size(max);
    let chat = Chat::new(hub)
        .into_service()
        .max_decoding_message_size(max)
        .max_encoding_message_size(max);
    let telemetry = Telemetry
        .into_service()
        .max_decoding_message_size(max)
        .max_encoding_message_size(max);

    let (health_reporter, health) = tonic_health::server::health_reporter();
    health_reporter
        .set_serving::<proto::demo::v1::user_service_server::UserServiceServer<Users>>()
        .await;
    health_reporter
        .set_serving::<proto::demo::v1::score_service_server::ScoreServiceServer<Scores>>()
        .await;
    health_reporter
        .set_serving::<proto::demo::v1::chat_service_server::ChatServiceServer<Chat>>()
        .await;
    health_reporter
        .set_serving::<proto::demo::v1::telemetry_service_server::TelemetryServiceServer<Telemetry>>()
        .await;
    let interop = if config.interop {
        health_reporter
            .set_serving::<proto::grpc::testing::test_service_server::TestServiceServer<Interop>>()
            .await;
        Some(Interop::new(max).into_service())
    } else {
        None
    };

    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let mut routes = Routes::new(users)
        .add_service(scores)
        .add_service(chat)
        .add_service(telemetry);
    if let Some(interop) = interop {
        routes = routes.add_service(interop);
    }
    let routes = routes
        .add_service(health)
        .add_service(reflection().build_v1()?)
        .add_service(reflection().build_v1alpha()?);
    Ok((routes, health_reporter))
}

/// Serves on `listener` until `shutdown` completes. Then open streams end at once with
/// `UNAVAILABLE`, health turns `NOT_SERVING`, and other calls get the configured grace.
pub async fn serve(
    config: &Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), Error> {
    let stop = CancellationToken::new();
    let (routes, health) = routes(config).await?;
    let signal = {
        let stop = stop.clone();
        async move {
            shutdown.await;
            tracing::info!("shutting down");
            health
                .set_service_status("", ServingStatus::NotServing)
                .await;
            stop.cancel();
        }
    };

    let mut builder = Server::builder();
    if let Some(tls) = &config.tls {
        let cert = std::fs::read(&tls.cert)
            .map_err(|e| format!("--tls-cert {}: {e}", tls.cert.display()))?;
        let key =
            std::fs::read(&tls.key).map_err(|e| format!("--tls-key {}: {e}", tls.key.display()))?;
        builder =
            builder.tls_config(ServerTlsConfig::new().identity(Identity::from_pem(cert, key)))?;
    }
    let app = web::app(routes, config, stop.clone());
    // Client-streaming and bidi calls from browsers: grpc-websockets upgrades on this port,
    // admitted by the same origins as CORS.
    let sockets = grpc_websockets::Config::allow_origins(config.allowed_origins.clone())
        .allow_loopback(config.dev)
        .max_message_size(config.max_message_size + 6)
        .write_timeout(config.write_timeout)
        .shutdown(stop.clone());
    let server = builder
        .accept_http1(true)
        // Each stream can hold one message toward a slow reader: bound them per connection.
        .max_concurrent_streams(MAX_STREAMS_PER_CONNECTION)
        // Finds peers that vanished under a quiet stream (a dead peer never reads EOF).
        .http2_keepalive_interval(Some(Duration::from_secs(60)))
        .http2_keepalive_timeout(Some(Duration::from_secs(20)))
        .http2_max_header_list_size(MAX_HEADER_LIST_SIZE)
        // Outermost, so every request counts as a call on its connection (see `tracking`).
        .layer(TrackCallsLayer)
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO))
                .on_failure(DefaultOnFailure::new().level(Level::WARN)),
        )
        // CORS outside the call limit (in `web::app`), so preflights never wait for a slot.
        .layer(web::cors(config))
        .add_routes(app.clone())
        .serve_with_incoming_shutdown(
            Listener::new(
                listener,
                config.max_connections,
                Timeouts {
                    idle: config.idle_timeout,
                    write: config.write_timeout,
                },
                Some(grpc_websockets::Bridge::new(app, sockets)),
            ),
            signal,
        );

    let grace = config.shutdown_grace;
    tokio::select! {
        served = server => Ok(served?),
        () = async { stop.cancelled().await; tokio::time::sleep(grace).await } => {
            tracing::warn!(grace_secs = grace.as_secs(), "calls still open after the grace period; exiting");
            Ok(())
        }
    }
}
