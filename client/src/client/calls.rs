//! [`Client`]'s calls, one method per call pattern, typed (prost messages) and raw (bytes):
//! each a thin face over [`call`](crate::call), which every face shares.

use bytes::Bytes;
use prost::Message;

use super::codec::{decode, encoded, encoded_stream, raw_stream};
use super::Client;
use crate::call;
use crate::duplex::IntoStreamingRequest;
use crate::protocol::reply::Cardinality;
use crate::protocol::status::Status;
use crate::request::IntoRequest;
use crate::response::Response;
use crate::streaming::Streaming;

impl Client {
    /// Calls the unary method at `path` (`/package.Service/Method`).
    ///
    /// `request` is a message, or a [`Request`](crate::Request) with per-call options.
    /// Every failure, local or remote, is a [`Status`] with the code gRPC prescribes.
    pub async fn unary<Req, Resp>(
        &self,
        path: &str,
        request: impl IntoRequest<Req>,
    ) -> Result<Response<Resp>, Status>
    where
        Req: Message,
        Resp: Message + Default,
    {
        let request = encoded(request, self.config().max_send_message_size);
        call::unary(self, path, request, decode::<Resp>).await
    }

    /// Calls the server-streaming method at `path`; resolves once the reply's headers have
    /// arrived, with the [`Streaming`] of its messages.
    pub async fn server_streaming<Req, Resp>(
        &self,
        path: &str,
        request: impl IntoRequest<Req>,
    ) -> Result<Streaming<Resp>, Status>
    where
        Req: Message,
        Resp: Message + Default,
    {
        let request = encoded(request, self.config().max_send_message_size);
        let raw = call::start(self, path, request, Cardinality::Stream).await?;
        Ok(Streaming::new(raw, decode::<Resp>))
    }

    /// Calls the client-streaming method at `path`: sends every message of `request`'s
    /// stream, then waits for the one reply. The call goes over a WebSocket (the
    /// `grpc-websockets` protocol; the server must speak it, as the `grpc-websockets`
    /// crate makes any tonic server do); deadline, signals, metadata, interceptors and
    /// limits apply as to any call. Sending waits while the browser's socket buffer is full,
    /// so a fast stream does not grow memory.
    pub async fn client_streaming<R, Req, Resp>(
        &self,
        path: &str,
        request: R,
    ) -> Result<Response<Resp>, Status>
    where
        R: IntoStreamingRequest<Message = Req>,
        Req: Message + 'static,
        Resp: Message + Default,
    {
        let request = encoded_stream(request, self.config().max_send_message_size);
        let stream = crate::duplex::start(self, path, request, Cardinality::Unary).await?;
        call::finish_unary(stream, decode::<Resp>).await
    }

    /// Calls the bidirectional-streaming method at `path`: `request`'s messages are sent as
    /// they come while the replies arrive on the returned [`Streaming`], which resolves once
    /// the reply's headers arrived. Over a WebSocket, as
    /// [`client_streaming`](Self::client_streaming). Dropping the [`Streaming`] cancels the
    /// call, and the sending stops.
    pub async fn streaming<R, Req, Resp>(
        &self,
        path: &str,
        request: R,
    ) -> Result<Streaming<Resp>, Status>
    where
        R: IntoStreamingRequest<Message = Req>,
        Req: Message + 'static,
        Resp: Message + Default,
    {
        let request = encoded_stream(request, self.config().max_send_message_size);
        let raw = crate::duplex::start(self, path, request, Cardinality::Stream).await?;
        Ok(Streaming::new(raw, decode::<Resp>))
    }

    /// [`unary`](Self::unary) with the request and reply messages already serialized, for
    /// other protobuf libraries and adapters.
    pub async fn unary_raw(
        &self,
        path: &str,
        request: impl IntoRequest<Bytes>,
    ) -> Result<Response<Bytes>, Status> {
        call::unary(self, path, request.into_request().map(Ok), Ok).await
    }

    /// [`server_streaming`](Self::server_streaming) with serialized messages.
    pub async fn server_streaming_raw(
        &self,
        path: &str,
        request: impl IntoRequest<Bytes>,
    ) -> Result<Streaming<Bytes>, Status> {
        let request = request.into_request().map(Ok);
        let raw = call::start(self, path, request, Cardinality::Stream).await?;
        Ok(Streaming::new(raw, Ok))
    }

    /// [`client_streaming`](Self::client_streaming) with serialized messages.
    pub async fn client_streaming_raw<R>(
        &self,
        path: &str,
        request: R,
    ) -> Result<Response<Bytes>, Status>
    where
        R: IntoStreamingRequest<Message = Bytes>,
    {
        let stream = crate::duplex::start(
            self,
            path,
            raw_stream(request, self.config().max_send_message_size),
            Cardinality::Unary,
        )
        .await?;
        call::finish_unary(stream, Ok).await
    }

    /// [`streaming`](Self::streaming) with serialized messages.
    pub async fn streaming_raw<R>(&self, path: &str, request: R) -> Result<Streaming<Bytes>, Status>
    where
        R: IntoStreamingRequest<Message = Bytes>,
    {
        let raw = crate::duplex::start(
            self,
            path,
            raw_stream(request, self.config().max_send_message_size),
            Cardinality::Stream,
        )
        .await?;
        Ok(Streaming::new(raw, Ok))
    }
}

impl Client {
    /// A unary call with a serialized request whose reply message `decode` turns into `T`
    /// inside the call, so that interceptors see a failure to decode as the call's end.
    #[cfg(feature = "js-dynamic")]
    pub(crate) async fn unary_with<T>(
        &self,
        path: &str,
        request: crate::Request<Bytes>,
        decode: impl FnOnce(Bytes) -> Result<T, Status>,
    ) -> Result<Response<T>, Status> {
        call::unary(self, path, request.map(Ok), decode).await
    }
}
