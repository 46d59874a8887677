//! The server binary as a native gRPC client meets it: tonic over HTTP/2 (h2c). The
//! standard interop cases, health, reflection, the auth check, limits, the demo services
//! and graceful shutdown, one module per topic; the helpers they share are here.

#[path = "../common/mod.rs"]
mod common;

mod demo;
mod interop;
mod introspection;
mod lifecycle;
mod limits;

use common::Server;
use proto::grpc::testing::test_service_client::TestServiceClient;
use proto::grpc::testing::{Payload, ResponseParameters};
use tonic::transport::Channel;

fn zeros(n: usize) -> Option<Payload> {
    Some(Payload {
        r#type: 0,
        body: vec![0; n].into(),
    })
}

fn params(sizes: &[i32]) -> Vec<ResponseParameters> {
    sizes
        .iter()
        .map(|&size| ResponseParameters {
            size,
            interval_us: 0,
            compressed: None,
        })
        .collect()
}

async fn interop(server: &Server) -> TestServiceClient<Channel> {
    TestServiceClient::new(server.channel().await)
}
