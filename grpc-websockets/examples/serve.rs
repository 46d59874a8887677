//! A tonic server whose services browsers can call with every pattern: gRPC-Web over
//! `fetch` for unary and server-streaming calls, and `grpc-websockets` for client-streaming
//! and bidi calls, on one port.
//!
//! ```sh
//! cargo run -p grpc-websockets --example serve -- 127.0.0.1:50051 http://localhost:8080
//! ```
//! The second argument is the origin of the web app allowed to open sockets (repeat for more).
//! Here the service is tonic's health service (`Watch` is a server stream); add your own
//! routes the same way.

use grpc_websockets::Config;
use tonic::service::Routes;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:50051".into());
    let origins: Vec<String> = args.collect();

    let (_reporter, health) = tonic_health::server::health_reporter();
    let routes = Routes::new(health);

    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("serving on {addr}; sockets admitted from {origins:?} and this server's own pages");
    // Sockets are bridged into `routes`; every other connection reaches tonic untouched.
    let incoming =
        grpc_websockets::incoming(listener, routes.clone(), Config::allow_origins(origins));
    tonic::transport::Server::builder()
        .accept_http1(true)
        .add_routes(routes)
        .serve_with_incoming(incoming)
        .await?;
    Ok(())
}
