//! `demo.v1.ChatService`: named rooms fanning each message out to live subscribers.
//!
//! Flow control: each subscriber has a bounded buffer of [`SUBSCRIBER_BUFFER`] messages.
//! `Send` never waits on a subscriber: when one's buffer is full the message is dropped for
//! that subscriber only, and the next message it does get carries the count in `skipped`.
//! So a slow reader neither stalls the room nor grows the server's memory.
//!
//! Lifetime: a subscriber is registered before `Subscribe` returns its stream, and removed
//! when the stream is dropped, which hyper does as soon as the client goes away (an HTTP/2
//! reset, or a closed HTTP/1.1 connection). `SendReply.delivered` counts only live ones.
//! A room with no subscribers keeps no state, so its sequence numbers start again at 1.

use proto::demo::v1::chat_service_server::{ChatService, ChatServiceServer};
use proto::demo::v1::{ChatEvent, ChatInput, SendReply, SendRequest, SubscribeRequest};
use tonic::{Request, Response, Status, Streaming};

use super::converse::converse;
use super::details::{bad_request, violation};
use super::BoxStream;

mod hub;

pub use hub::{Hub, Subscription, MAX_SUBSCRIBERS, SUBSCRIBER_BUFFER};

/// Checks a name-like field: 1 to `max` characters.
pub(super) fn check(
    field: &str,
    value: &str,
    max: usize,
    out: &mut Vec<proto::google::rpc::bad_request::FieldViolation>,
) {
    if value.trim().is_empty() {
        out.push(violation(field, "must not be empty", "REQUIRED"));
    } else if value.chars().count() > max {
        out.push(violation(
            field,
            format!("must be at most {max} characters"),
            "TOO_LONG",
        ));
    }
}

/// Checks a message's text: 1 to 4096 bytes.
pub(super) fn check_text(
    field: &str,
    text: &str,
    out: &mut Vec<proto::google::rpc::bad_request::FieldViolation>,
) {
    if text.is_empty() {
        out.push(violation(field, "must not be empty", "REQUIRED"));
    } else if text.len() > 4096 {
        out.push(violation(field, "must be at most 4096 bytes", "TOO_LONG"));
    }
}

/// The `ChatService` implementation.
#[derive(Debug, Clone, Default)]
pub struct Chat {
    hub: Hub,
}

impl Chat {
    /// A service over `hub`.
    pub fn new(hub: Hub) -> Self {
        Chat { hub }
    }

    /// The tonic service, ready to add to a router.
    pub fn into_service(self) -> ChatServiceServer<Self> {
        ChatServiceServer::new(self)
    }
}

#[tonic::async_trait]
impl ChatService for Chat {
    async fn send(&self, request: Request<SendRequest>) -> Result<Response<SendReply>, Status> {
        let r = request.into_inner();
        let mut violations = Vec::new();
        check("room", &r.room, 64, &mut violations);
        check("author", &r.author, 64, &mut violations);
        check_text("text", &r.text, &mut violations);
        if !violations.is_empty() {
            return Err(bad_request("invalid chat message", violations));
        }
        let (delivered, sequence) = self.hub.publish(&r.room, &r.author, &r.text);
        Ok(Response::new(SendReply {
            delivered,
            sequence,
        }))
    }

    type SubscribeStream = Subscription;

    async fn subscribe(
        &self,
        request: Request<SubscribeRequest>,
    ) -> Result<Response<Self::SubscribeStream>, Status> {
        let room = request.into_inner().room;
        let mut violations = Vec::new();
        check("room", &room, 64, &mut violations);
        if !violations.is_empty() {
            return Err(bad_request("invalid room", violations));
        }
        Ok(Response::new(self.hub.subscribe(&room)?))
    }

    type ConverseStream = BoxStream<ChatEvent>;

    async fn converse(
        &self,
        request: Request<Streaming<ChatInput>>,
    ) -> Result<Response<Self::ConverseStream>, Status> {
        let inputs = request.into_inner();
        Ok(Response::new(Box::pin(converse(self.hub.clone(), inputs))))
    }
}

#[cfg(test)]
mod tests;
