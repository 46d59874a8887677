use std::time::Duration;

use hello::v1::greeter_server::{Greeter, GreeterServer};
use hello::v1::{HelloReply, HelloRequest};
use http::{HeaderName, HeaderValue, Method};
use tonic::transport::Server;
use tonic::{Request, Response, Status};
use tonic_web::GrpcWebLayer;
use tower_http::cors::CorsLayer;

mod hello {
    pub mod v1 {
        tonic::include_proto!("hello.v1");
    }
}

#[derive(Default)]
struct MyGreeter;

#[tonic::async_trait]
impl Greeter for MyGreeter {
    async fn say_hello(
        &self,
        request: Request<HelloRequest>,
    ) -> Result<Response<HelloReply>, Status> {
        let name = request.into_inner().name;
        if name.is_empty() {
            return Err(Status::invalid_argument("name must not be empty"));
        }
        Ok(Response::new(HelloReply {
            message: format!("Hello, {name}!"),
        }))
    }
}

/// CORS for a page served from `origin`: the request headers grpc-web-wasm sends, and the
/// response headers it must read.
fn cors(origin: &str) -> CorsLayer {
    let header = HeaderName::from_static;
    CorsLayer::new()
        .allow_origin(HeaderValue::from_str(origin).expect("an origin"))
        .allow_methods([Method::POST])
        .allow_headers([
            header("content-type"),
            header("accept"),
            header("x-grpc-web"),
            header("x-user-agent"),
            header("grpc-timeout"),
            header("grpc-accept-encoding"),
            header("grpc-encoding"),
        ])
        .expose_headers([
            header("grpc-status"),
            header("grpc-message"),
            header("grpc-status-details-bin"),
            header("grpc-encoding"),
        ])
        .max_age(Duration::from_secs(24 * 60 * 60))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Usage: hello-server [ADDRESS] [PAGE_ORIGIN]
    let mut args = std::env::args().skip(1);
    let address = args.next().unwrap_or_else(|| "127.0.0.1:50051".into());
    let origin = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());

    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!("listening on http://{}", listener.local_addr()?);
    Server::builder()
        // Browsers speak HTTP/1.1 to it (gRPC-Web); native clients keep HTTP/2.
        .accept_http1(true)
        // CORS outside gRPC-Web, so that it answers the browser's preflight.
        .layer(cors(&origin))
        .layer(GrpcWebLayer::new())
        .add_service(GreeterServer::new(MyGreeter))
        .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
        .await?;
    Ok(())
}
