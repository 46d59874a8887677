//! The bridge in front of a real tonic server on 127.0.0.1: a call over a socket with real
//! bytes, the origin check before the upgrade, and other connections passed through. One
//! module per topic; the server and socket helpers they share are here.

mod admission;
mod calls;
mod liveness;

use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// A tonic server with the health service behind the bridge; its address.
async fn server() -> String {
    server_with(grpc_websockets::Config::allow_origins(["http://app.test"])).await
}

async fn server_with(config: grpc_websockets::Config) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (_, health) = tonic_health::server::health_reporter();
    let routes = tonic::service::Routes::new(health);
    let incoming = grpc_websockets::incoming(listener, routes.clone(), config);
    tokio::spawn(
        tonic::transport::Server::builder()
            .accept_http1(true)
            .add_routes(routes)
            .serve_with_incoming(incoming),
    );
    addr
}

type Socket = tokio_tungstenite::WebSocketStream<TcpStream>;

async fn open(addr: &str, origin: &str) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    open_method(addr, origin, "Check").await
}

async fn open_method(
    addr: &str,
    origin: &str,
    method: &str,
) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let mut request = format!("ws://{addr}/grpc.health.v1.Health/{method}")
        .into_client_request()
        .unwrap();
    let h = request.headers_mut();
    h.insert("origin", origin.parse().unwrap());
    h.insert("sec-websocket-protocol", "grpc-websockets".parse().unwrap());
    let tcp = TcpStream::connect(addr).await.unwrap();
    tokio_tungstenite::client_async(request, tcp)
        .await
        .map(|(ws, _)| ws)
}

fn binary(m: &[u8]) -> Message {
    Message::Binary(m.to_vec().into())
}
