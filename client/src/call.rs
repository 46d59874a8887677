//! The call machinery: [`Request`] and [`Response`], and the unary call from message to
//! message. Framing and status rules live in [`crate::protocol`]; bytes move through
//! [`crate::transport`].

use prost::Message;

use crate::client::Client;
use crate::protocol::body::{self, BodyDecoder, UnaryReply};
use crate::protocol::frame;
use crate::protocol::metadata::MetadataMap;
use crate::protocol::request;
use crate::protocol::response::{self, Head};
use crate::protocol::status::{Code, Status};
use crate::transport;

/// A request message and the metadata sent with it as headers.
///
/// ```
/// use grpc_web_wasm::Request;
/// use proto::demo::v1::UserRequest;
///
/// let mut request = Request::new(UserRequest { user_id: 1 });
/// request.metadata_mut().insert("x-request-id", "42").unwrap();
/// ```
#[derive(Debug, Clone, Default)]
pub struct Request<T> {
    message: T,
    metadata: MetadataMap,
}

impl<T> Request<T> {
    /// A request with no metadata.
    pub fn new(message: T) -> Request<T> {
        Request {
            message,
            metadata: MetadataMap::new(),
        }
    }

    /// The message.
    pub fn get_ref(&self) -> &T {
        &self.message
    }

    /// The metadata to send.
    pub fn metadata(&self) -> &MetadataMap {
        &self.metadata
    }

    /// The metadata to send, for adding entries.
    pub fn metadata_mut(&mut self) -> &mut MetadataMap {
        &mut self.metadata
    }

    /// The message, dropping the metadata.
    pub fn into_inner(self) -> T {
        self.message
    }
}

/// Something that can be sent as a request: a bare message or a [`Request`].
pub trait IntoRequest<T> {
    /// Wraps or unwraps into a [`Request`].
    fn into_request(self) -> Request<T>;
}

impl<T: Message> IntoRequest<T> for T {
    fn into_request(self) -> Request<T> {
        Request::new(self)
    }
}

impl<T> IntoRequest<T> for Request<T> {
    fn into_request(self) -> Request<T> {
        self
    }
}

/// A reply message with the headers and trailers that came with it.
#[derive(Debug, Clone, Default)]
pub struct Response<T> {
    message: T,
    headers: MetadataMap,
    trailers: MetadataMap,
}

impl<T> Response<T> {
    /// The message.
    pub fn get_ref(&self) -> &T {
        &self.message
    }

    /// The message, dropping the metadata.
    pub fn into_inner(self) -> T {
        self.message
    }

    /// Response headers the browser exposes (CORS limits which).
    pub fn headers(&self) -> &MetadataMap {
        &self.headers
    }

    /// The trailers, `grpc-status` included.
    pub fn trailers(&self) -> &MetadataMap {
        &self.trailers
    }
}

pub(crate) async fn unary<Req, Resp>(
    client: &Client,
    path: &str,
    request: Request<Req>,
) -> Result<Response<Resp>, Status>
where
    Req: Message,
    Resp: Message + Default,
{
    let url = request::method_url(client.base_url(), path)?;
    let body = frame::encode_message(&request.message, client.max_send_message_size())?;
    let mut reply = transport::send(&url, &request::headers(&request.metadata), &body).await?;

    match response::check_head(reply.status, reply.content_type.as_deref(), &reply.headers)? {
        Head::TrailersOnly(status) if status.code() == Code::Ok => {
            return Err(body::no_message(status.metadata().clone()))
        }
        Head::TrailersOnly(status) => return Err(status),
        Head::Framed => {}
    }

    let mut decoder = BodyDecoder::new(client.limits());
    let mut collected = UnaryReply::new();
    while let Some(chunk) = reply.body.next_chunk().await? {
        decoder.push_with(chunk.length() as usize, |dst| chunk.copy_to(dst));
        while let Some(event) = decoder.next_event()? {
            collected.on_event(event)?;
        }
    }
    decoder.finish()?;
    let (bytes, trailers) = collected.finish()?;
    let message = Resp::decode(bytes).map_err(|e| {
        Status::new(
            Code::Internal,
            format!("failed to decode the response message: {e}"),
        )
        .with_metadata(trailers.clone())
    })?;
    Ok(Response {
        message,
        headers: reply.headers,
        trailers,
    })
}
