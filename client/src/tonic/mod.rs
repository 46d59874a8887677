//! tonic compatibility (feature `tonic`): [`GrpcWebService`] carries the calls of
//! tonic-generated clients over this crate's `fetch` transport.
//!
//! A project whose clients come from `tonic-prost-build` switches transport by changing
//! the line that builds the client:
//!
//! ```ignore
//! use grpc_web_wasm::{tonic::GrpcWebService, Client};
//! use proto::demo::v1::{user_service_client::UserServiceClient, UserRequest};
//!
//! # async fn run() -> Result<(), tonic::Status> {
//! // Was: UserServiceClient::new(Channel::from_static("http://[::1]:50051").connect().await?)
//! let mut users = UserServiceClient::new(GrpcWebService::new(Client::new("https://api.example.com")));
//! let reply = users.get_user(UserRequest { user_id: 1 }).await?;
//! let name = reply.into_inner().name;
//! # Ok(()) }
//! ```
//!
//! Generate those clients without tonic's transport (`build_transport(false)`) and depend
//! on `tonic` with `default-features = false` (plus `codegen`, and `tonic-prost` for the
//! codec): tonic's transport does not build for wasm32.
//!
//! Each tonic call reaches the service as an `http::Request` whose body holds one gRPC
//! frame. The service unframes it, turns the request headers into a [`Request`](crate::Request) (metadata,
//! and `grpc-timeout` as the call's deadline), and calls
//! [`Client::server_streaming_raw`], so the client's options, interceptors and limits
//! apply as to any call. The reply is an `http::Response` whose body frames each message
//! again and ends with HTTP trailers (`grpc-status`, `grpc-message`, the trailer metadata);
//! every failure becomes a `grpc-status` (in the trailers, or a trailers-only response),
//! so tonic reports the same [`Status`] code and message the typed API would.
//!
//! Client-streaming and bidirectional methods (a request body that is a stream: a second
//! frame, or a body still open after its first) go over the client's WebSocket transport
//! instead, the messages unframed from tonic's body as it yields them. tonic's own message
//! compression is refused: configure [`Client::send_compressed`] and
//! [`Client::accept_compressed`] instead (a compressed request frame is `UNIMPLEMENTED`).

mod reply;
mod request;

use std::convert::Infallible;
use std::task::{Context, Poll};

use futures_core::future::LocalBoxFuture;
use http::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use send_wrapper::SendWrapper;

use crate::protocol::reply::Cardinality;
use crate::protocol::status::{Code, Status};
use crate::Client;
use crate::Streaming;
use bytes::Bytes;
use reply::{copy_metadata, response, trailers_only, ReplyBody};
use request::{read_message, request_with_metadata, Read, RequestStream};

/// A [`Client`] as the transport of tonic-generated clients: a tower `Service` over `http`
/// requests with [`tonic::body::Body`], which makes it a [`tonic::client::GrpcService`].
/// Cheap to clone.
///
/// It never fails as a service: every failure is a gRPC status in the response, which
/// tonic turns into its [`tonic::Status`].
#[derive(Debug, Clone)]
pub struct GrpcWebService {
    client: Client,
}

impl GrpcWebService {
    /// A service sending every call through `client`.
    pub fn new(client: Client) -> GrpcWebService {
        GrpcWebService { client }
    }

    /// The client the calls go through.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl From<Client> for GrpcWebService {
    fn from(client: Client) -> GrpcWebService {
        GrpcWebService::new(client)
    }
}

impl tower_service::Service<http::Request<tonic::body::Body>> for GrpcWebService {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    /// Not `Send`: the call holds browser objects, which stay on their thread.
    type Future = LocalBoxFuture<'static, Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // fetch queues calls itself; there is nothing to wait for.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        let client = self.client.clone();
        Box::pin(async move { Ok(call(client, request).await) })
    }
}

async fn call(
    client: Client,
    request: http::Request<tonic::body::Body>,
) -> http::Response<tonic::body::Body> {
    let (parts, body) = request.into_parts();
    let mut body = Box::pin(body);
    let message = match read_message(body.as_mut(), from_tonic).await {
        Ok(Read::One(message)) => message,
        // Client streaming and bidi: over the client's WebSocket, the messages unframed
        // from tonic's body as it yields them.
        Ok(Read::Stream(read, decoder)) => {
            let stream = RequestStream::new(body, read, decoder);
            let request = match request_with_metadata(Bytes::new(), &parts.headers) {
                Ok(request) => request.map(|_| Box::pin(stream) as crate::duplex::Messages),
                Err(status) => return trailers_only(&status),
            };
            let started =
                crate::duplex::start(&client, parts.uri.path(), request, Cardinality::Stream).await;
            return match started {
                Ok(raw) => {
                    let stream = Streaming::new(raw, Ok);
                    let mut headers = HeaderMap::new();
                    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
                    copy_metadata(stream.headers(), &mut headers);
                    response(headers, ReplyBody::new(Some(SendWrapper::new(stream))))
                }
                Err(status) => trailers_only(&status),
            };
        }
        Err(status) => return trailers_only(&status),
    };
    let request = match request_with_metadata(message, &parts.headers) {
        Ok(request) => request,
        Err(status) => return trailers_only(&status),
    };
    match client.server_streaming_raw(parts.uri.path(), request).await {
        Ok(stream) => {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
            copy_metadata(stream.headers(), &mut headers);
            response(headers, ReplyBody::new(Some(SendWrapper::new(stream))))
        }
        Err(status) => trailers_only(&status),
    }
}

fn from_tonic(status: tonic::Status) -> Status {
    Status::new(Code::from_i32(status.code() as i32), status.message())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn a_body_error_keeps_tonics_code() {
        let status = from_tonic(tonic::Status::out_of_range("too big"));
        assert_eq!(status.code(), Code::OutOfRange);
        assert_eq!(status.message(), "too big");
    }
}
