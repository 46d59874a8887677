//! [`Client`]: one server's base URL and the limits that apply to every call on it.

use prost::Message;

use crate::call::{self, IntoRequest, Response};
use crate::protocol::body::Limits;
use crate::protocol::status::Status;

/// A gRPC-Web client for one server. Cheap to clone.
///
/// Limits are on by default: messages over 4 MiB are refused in both directions
/// (`RESOURCE_EXHAUSTED`), before anything is allocated for them.
#[derive(Debug, Clone)]
pub struct Client {
    base_url: String,
    limits: Limits,
    max_send_message_size: usize,
}

impl Client {
    /// A client for the server at `base_url`, e.g. `"https://api.example.com"` or
    /// `"http://127.0.0.1:50051"`. Method paths are appended to it.
    pub fn new(base_url: impl Into<String>) -> Client {
        Client {
            base_url: base_url.into(),
            limits: Limits::default(),
            max_send_message_size: Limits::default().max_message_size,
        }
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Largest reply message accepted, in bytes.
    pub fn max_decoding_message_size(mut self, bytes: usize) -> Client {
        self.limits.max_message_size = bytes;
        self
    }

    /// Largest request message sent, in bytes.
    pub fn max_encoding_message_size(mut self, bytes: usize) -> Client {
        self.max_send_message_size = bytes;
        self
    }

    pub(crate) fn limits(&self) -> Limits {
        self.limits
    }

    pub(crate) fn max_send_message_size(&self) -> usize {
        self.max_send_message_size
    }

    /// Calls the unary method at `path` (`/package.Service/Method`).
    ///
    /// `request` is a message, or a [`Request`](crate::Request) carrying metadata too.
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
        call::unary(self, path, request.into_request()).await
    }
}
