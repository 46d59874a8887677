//! The grpc-web-wasm demo server: tonic serving native gRPC and gRPC-Web (HTTP/1.1 and h2c,
//! binary and text) on one port, with CORS, health, reflection, limits, optional TLS and
//! bearer auth, and the demo UI's static files. `main.rs` parses flags and calls [`serve`].

pub mod assets;
pub mod auth;
pub mod calls;
pub mod config;
pub mod services;
pub mod web;

use std::future::Future;

use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tonic::transport::{Identity, Server, ServerTlsConfig};
use tonic_health::server::HealthReporter;
use tonic_health::ServingStatus;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnFailure, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::Config;
use crate::services::chat::{Chat, Hub};
use crate::services::interop::Interop;
use crate::services::scores::Scores;
use crate::services::users::{UserStore, Users};

/// What can stop the server from starting or serving.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Every service this server offers, as one set of routes, with health marked serving.
pub async fn routes(config: &Config) -> Result<(Routes, HealthReporter), Error> {
    let max = config.max_message_size;
    let users = Users::new(UserStore::seeded(), config.auth_token.as_deref())
        .into_service()
        .max_decoding_message_size(max)
        .max_encoding_message_size(max);
    let scores = Scores
        .into_service()
        .max_decoding_message_size(max)
        .max_encoding_message_size(max);
    let chat = Chat::new(Hub::default())
        .into_service()
        .max_decoding_message_size(max)
        .max_encoding_message_size(max);
    let interop = Interop::new(max).into_service();

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
        .set_serving::<proto::grpc::testing::test_service_server::TestServiceServer<Interop>>()
        .await;

    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let routes = Routes::new(users)
        .add_service(scores)
        .add_service(chat)
        .add_service(interop)
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
    let server = builder
        .accept_http1(true)
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO))
                .on_failure(DefaultOnFailure::new().level(Level::WARN)),
        )
        // CORS before the limit, so preflights are answered without waiting for a slot.
        .layer(web::cors(config))
        .layer(GlobalConcurrencyLimitLayer::new(
            config.max_concurrent_calls,
        ))
        .add_routes(web::app(routes, config, stop.clone()))
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), signal);

    let grace = config.shutdown_grace;
    tokio::select! {
        served = server => Ok(served?),
        () = async { stop.cancelled().await; tokio::time::sleep(grace).await } => {
            tracing::warn!(grace_secs = grace.as_secs(), "calls still open after the grace period; exiting");
            Ok(())
        }
    }
}
