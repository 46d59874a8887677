//! The grpc-web-wasm demo server: tonic with gRPC-Web (HTTP/1.1 accepted), CORS, and the
//! demo services. `main.rs` only parses flags and calls [`serve`].

pub mod config;
pub mod services;
pub mod web;

use std::future::Future;

use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::service::Routes;
use tonic::transport::Server;

use crate::config::Config;
use crate::services::users::{UserStore, Users};

/// Every service this server offers, as one set of routes.
pub fn routes() -> Routes {
    Routes::new(Users::new(UserStore::seeded()).into_service())
}

/// Serves on `listener` until `shutdown` completes.
pub async fn serve(
    config: &Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), tonic::transport::Error> {
    Server::builder()
        .accept_http1(true)
        // CORS outermost, so preflights are answered before any route sees them.
        .layer(web::cors(config))
        .add_routes(web::app(routes(), config))
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)
        .await
}
