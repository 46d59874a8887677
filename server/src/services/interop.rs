//! `grpc.testing.TestService`, the standard gRPC interop service.
//!
//! Test metadata echo (`x-grpc-test-echo-initial` / `-trailing-bin`) and `grpc-timeout`
//! are handled for every method by [`crate::calls`]; gzip is switched on where the service
//! is built ([`Interop::into_service`]).

use std::time::Duration;

use futures_util::{stream, Stream, StreamExt};
use proto::grpc::testing::test_service_server::{TestService, TestServiceServer};
use proto::grpc::testing::{
    BoolValue, EchoStatus, Empty, Payload, PayloadType, ResponseParameters, SimpleRequest,
    SimpleResponse, StreamingInputCallRequest, StreamingInputCallResponse,
    StreamingOutputCallRequest, StreamingOutputCallResponse,
};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::codec::{CompressionEncoding, SingleMessageCompressionOverride};
use tonic::{Code, Request, Response, Status, Streaming};

use super::BoxStream;

/// Most bytes a response adds around a payload body (tags and length varints).
const PAYLOAD_OVERHEAD: usize = 16;
/// Longest pause a `ResponseParameters.interval_us` may ask for.
const MAX_INTERVAL: Duration = Duration::from_secs(10);

/// The `TestService` implementation.
#[derive(Debug, Clone)]
pub struct Interop {
    max_message_size: usize,
}

impl Interop {
    /// A service that refuses to build payloads over `max_message_size`.
    pub fn new(max_message_size: usize) -> Self {
        Interop { max_message_size }
    }

    /// The tonic service, accepting gzip and sending it to clients that accept it.
    pub fn into_service(self) -> TestServiceServer<Self> {
        let max = self.max_message_size;
        TestServiceServer::new(self)
            .accept_compressed(CompressionEncoding::Gzip)
            .send_compressed(CompressionEncoding::Gzip)
            .max_decoding_message_size(max)
            .max_encoding_message_size(max)
    }

    /// A payload of `size` zero bytes, checked before anything is allocated.
    fn payload(&self, size: i32) -> Result<Payload, Status> {
        let size = usize::try_from(size)
            .map_err(|_| Status::invalid_argument(format!("negative payload size {size}")))?;
        // The body plus its field tags and lengths must fit the encoded-message limit.
        if size.saturating_add(PAYLOAD_OVERHEAD) > self.max_message_size {
            return Err(Status::resource_exhausted(format!(
                "payload size {size} exceeds the server's message limit {}",
                self.max_message_size
            )));
        }
        Ok(Payload {
            r#type: PayloadType::Compressable as i32,
            body: vec![0; size].into(),
        })
    }

    fn streamed(&self, p: &ResponseParameters) -> Result<StreamingOutputCallResponse, Status> {
        Ok(StreamingOutputCallResponse {
            payload: Some(self.payload(p.size)?),
        })
    }
}

/// The status a request asks to be answered with, unless it is OK.
fn requested_status(echo: Option<&EchoStatus>) -> Result<(), Status> {
    match echo {
        Some(s) if s.code != 0 => Err(Status::new(Code::from(s.code), s.message.clone())),
        _ => Ok(()),
    }
}

/// The pause before a streamed response.
fn interval(p: &ResponseParameters) -> Duration {
    Duration::from_micros(u64::try_from(p.interval_us).unwrap_or(0)).min(MAX_INTERVAL)
}

/// Sleeps, unless there is nothing to wait for: a zero sleep still goes through the timer,
/// which would slow bulk streams.
async fn pause(d: Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}

fn wants(flag: Option<&BoolValue>) -> Option<bool> {
    flag.map(|b| b.value)
}

impl Interop {
    fn unary(&self, request: Request<SimpleRequest>) -> Result<Response<SimpleResponse>, Status> {
        let compressed_request = request
            .metadata()
            .get("grpc-encoding")
            .is_some_and(|e| e != "identity");
        let r = request.into_inner();
        if wants(r.expect_compressed.as_ref()) == Some(true) && !compressed_request {
            return Err(Status::invalid_argument("expected a compressed request"));
        }
        requested_status(r.response_status.as_ref())?;
        let mut response = Response::new(SimpleResponse {
            payload: Some(self.payload(r.response_size)?),
            ..Default::default()
        });
        if wants(r.response_compressed.as_ref()) == Some(false) {
            response
                .extensions_mut()
                .insert(SingleMessageCompressionOverride::Disable);
        }
        Ok(response)
    }

    /// Answers each request of `input` with its response parameters, in turn, through a
    /// small channel, so a slow client holds back this call only.
    fn answer_each<S>(&self, input: S) -> BoxStream<StreamingOutputCallResponse>
    where
        S: Stream<Item = Result<StreamingOutputCallRequest, Status>> + Send + Unpin + 'static,
    {
        let (tx, rx) = mpsc::channel(4);
        let this = self.clone();
        tokio::spawn(async move {
            let mut input = input;
            while let Some(request) = input.next().await {
                let request = match request {
                    Ok(r) => r,
                    Err(status) => {
                        let _ = tx.send(Err(status)).await;
                        return;
                    }
                };
                if let Err(status) = requested_status(request.response_status.as_ref()) {
                    let _ = tx.send(Err(status)).await;
                    return;
                }
                for p in &request.response_parameters {
                    pause(interval(p)).await;
                    let item = this.streamed(p);
                    let failed = item.is_err();
                    if tx.send(item).await.is_err() || failed {
                        return;
                    }
                }
            }
        });
        Box::pin(ReceiverStream::new(rx))
    }
}

#[tonic::async_trait]
impl TestService for Interop {
    async fn empty_call(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        Ok(Response::new(Empty {}))
    }

    async fn unary_call(
        &self,
        request: Request<SimpleRequest>,
    ) -> Result<Response<SimpleResponse>, Status> {
        self.unary(request)
    }

    async fn cacheable_unary_call(
        &self,
        request: Request<SimpleRequest>,
    ) -> Result<Response<SimpleResponse>, Status> {
        self.unary(request)
    }

    type StreamingOutputCallStream = BoxStream<StreamingOutputCallResponse>;

    async fn streaming_output_call(
        &self,
        request: Request<StreamingOutputCallRequest>,
    ) -> Result<Response<Self::StreamingOutputCallStream>, Status> {
        let r = request.into_inner();
        let end = requested_status(r.response_status.as_ref()).err();
        let this = self.clone();
        let params = r.response_parameters.into_iter();
        let messages = stream::unfold((this, params), |(this, mut params)| async move {
            let p = params.next()?;
            pause(interval(&p)).await;
            Some((this.streamed(&p), (this, params)))
        });
        // A requested status ends the stream after its messages.
        let tail = stream::iter(end.map(Err));
        Ok(Response::new(Box::pin(messages.chain(tail))))
    }

    async fn streaming_input_call(
        &self,
        request: Request<Streaming<StreamingInputCallRequest>>,
    ) -> Result<Response<StreamingInputCallResponse>, Status> {
        let mut input = request.into_inner();
        let mut total: usize = 0;
        while let Some(r) = input.message().await? {
            total += r.payload.map_or(0, |p| p.body.len());
        }
        let aggregated_payload_size = i32::try_from(total)
            .map_err(|_| Status::out_of_range("aggregated payload size overflows int32"))?;
        Ok(Response::new(StreamingInputCallResponse {
            aggregated_payload_size,
        }))
    }

    type FullDuplexCallStream = BoxStream<StreamingOutputCallResponse>;

    async fn full_duplex_call(
        &self,
        request: Request<Streaming<StreamingOutputCallRequest>>,
    ) -> Result<Response<Self::FullDuplexCallStream>, Status> {
        Ok(Response::new(self.answer_each(request.into_inner())))
    }

    type HalfDuplexCallStream = BoxStream<StreamingOutputCallResponse>;

    async fn half_duplex_call(
        &self,
        request: Request<Streaming<StreamingOutputCallRequest>>,
    ) -> Result<Response<Self::HalfDuplexCallStream>, Status> {
        // Everything first, then the answers.
        let mut input = request.into_inner();
        let mut requests = Vec::new();
        while let Some(r) = input.message().await? {
            requests.push(Ok(r));
        }
        Ok(Response::new(self.answer_each(stream::iter(requests))))
    }

    async fn unimplemented_call(
        &self,
        _request: Request<Empty>,
    ) -> Result<Response<Empty>, Status> {
        Err(Status::unimplemented(
            "grpc.testing.TestService/UnimplementedCall is never implemented",
        ))
    }
}

#[cfg(test)]
mod tests;
