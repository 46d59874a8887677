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

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::Stream;
use proto::demo::v1::chat_service_server::{ChatService, ChatServiceServer};
use proto::demo::v1::{
    ChatEvent, ChatInput, ChatMessage, SendReply, SendRequest, SubscribeRequest,
};
use tokio::sync::mpsc;
use tonic::{Request, Response, Status, Streaming};

use super::converse::converse;
use super::details::{bad_request, violation};
use super::BoxStream;
use crate::store::chat::Relay;

/// Messages buffered per subscriber before further ones are dropped for it.
pub const SUBSCRIBER_BUFFER: usize = 64;
/// Most subscribers over all rooms; more are `RESOURCE_EXHAUSTED`.
pub const MAX_SUBSCRIBERS: usize = 10_000;

/// One subscriber's end of the fan-out.
#[derive(Debug)]
struct Subscriber {
    tx: mpsc::Sender<ChatMessage>,
    /// Messages dropped since the last one handed over.
    pending_skipped: u64,
}

#[derive(Debug, Default)]
struct Room {
    sequence: u64,
    subscribers: HashMap<u64, Subscriber>,
}

#[derive(Debug, Default)]
struct Rooms {
    rooms: HashMap<String, Room>,
    next_id: u64,
    subscribers: usize,
}

/// All rooms, shared by every call; with a [`Relay`], also by every replica of a fleet.
#[derive(Debug, Clone, Default)]
pub struct Hub {
    inner: Arc<Mutex<Rooms>>,
    relay: Option<Relay>,
}

impl Hub {
    fn lock(&self) -> MutexGuard<'_, Rooms> {
        // Every critical section leaves the maps consistent, so a poisoned lock is usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a subscriber of `room`.
    pub(super) fn subscribe(&self, room: &str) -> Result<Subscription, Status> {
        let (tx, rx) = mpsc::channel(SUBSCRIBER_BUFFER);
        let mut rooms = self.lock();
        if rooms.subscribers >= MAX_SUBSCRIBERS {
            return Err(Status::resource_exhausted("too many chat subscribers"));
        }
        let id = rooms.next_id;
        rooms.next_id += 1;
        rooms.subscribers += 1;
        rooms
            .rooms
            .entry(room.to_string())
            .or_default()
            .subscribers
            .insert(
                id,
                Subscriber {
                    tx,
                    pending_skipped: 0,
                },
            );
        Ok(Subscription {
            rx,
            _guard: Unsubscribe {
                hub: self.clone(),
                room: room.to_string(),
                id,
            },
        })
    }

    /// The same rooms, with messages also published to (and received from) the other
    /// replicas through `relay`.
    pub fn with_relay(mut self, relay: Relay) -> Hub {
        self.relay = Some(relay);
        self
    }

    /// Offers a message to every subscriber of its room, and to the other replicas if
    /// relayed; returns (delivered here, sequence).
    pub(super) fn publish(&self, room: &str, author: &str, text: &str) -> (u32, u64) {
        let sent_at_unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        if let Some(relay) = &self.relay {
            relay.forward(room, author, text, sent_at_unix_ms);
        }
        self.fan_out(room, author, text, sent_at_unix_ms)
    }

    /// Offers a message another replica published to this one's subscribers of its room.
    pub fn deliver(&self, room: &str, author: &str, text: &str, sent_at_unix_ms: i64) -> u32 {
        self.fan_out(room, author, text, sent_at_unix_ms).0
    }

    fn fan_out(&self, room: &str, author: &str, text: &str, sent_at_unix_ms: i64) -> (u32, u64) {
        let mut rooms = self.lock();
        let Some(r) = rooms.rooms.get_mut(room) else {
            return (0, 0);
        };
        r.sequence += 1;
        let sequence = r.sequence;
        let mut delivered = 0u32;
        let mut gone = Vec::new();
        for (&id, sub) in r.subscribers.iter_mut() {
            let message = ChatMessage {
                room: room.into(),
                author: author.into(),
                text: text.into(),
                sequence,
                sent_at_unix_ms,
                skipped: sub.pending_skipped,
            };
            match sub.tx.try_send(message) {
                Ok(()) => {
                    sub.pending_skipped = 0;
                    delivered += 1;
                }
                Err(mpsc::error::TrySendError::Full(_)) => sub.pending_skipped += 1,
                Err(mpsc::error::TrySendError::Closed(_)) => gone.push(id),
            }
        }
        for id in gone {
            remove(&mut rooms, room, id);
        }
        (delivered, sequence)
    }

    /// Live subscribers of `room`.
    pub fn subscribers(&self, room: &str) -> usize {
        self.lock()
            .rooms
            .get(room)
            .map_or(0, |r| r.subscribers.len())
    }
}

/// Removes a subscriber, and its room once empty.
fn remove(rooms: &mut Rooms, room: &str, id: u64) {
    let Some(r) = rooms.rooms.get_mut(room) else {
        return;
    };
    if r.subscribers.remove(&id).is_some() {
        rooms.subscribers -= 1;
    }
    if r.subscribers.is_empty() {
        rooms.rooms.remove(room);
    }
}

/// Unregisters its subscriber when dropped, whatever ended the stream.
#[derive(Debug)]
struct Unsubscribe {
    hub: Hub,
    room: String,
    id: u64,
}

impl Drop for Unsubscribe {
    fn drop(&mut self) {
        remove(&mut self.hub.lock(), &self.room, self.id);
        tracing::debug!(room = %self.room, id = self.id, "chat subscriber left");
    }
}

/// A subscriber's message stream; dropping it unsubscribes.
#[derive(Debug)]
pub struct Subscription {
    rx: mpsc::Receiver<ChatMessage>,
    _guard: Unsubscribe,
}

impl Subscription {
    /// A message already waiting for this subscriber, if any.
    pub(super) fn try_next(&mut self) -> Option<ChatMessage> {
        self.rx.try_recv().ok()
    }
}

impl Stream for Subscription {
    type Item = Result<ChatMessage, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx).map(|m| m.map(Ok))
    }
}

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
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[tokio::test]
    async fn fan_out_and_unsubscribe_on_drop() {
        let hub = Hub::default();
        let mut a = hub.subscribe("r").unwrap();
        let b = hub.subscribe("r").unwrap();
        let _other = hub.subscribe("elsewhere").unwrap();
        assert_eq!(hub.publish("r", "ann", "hi"), (2, 1));
        let m = a.next().await.unwrap().unwrap();
        assert_eq!((m.text.as_str(), m.sequence, m.skipped), ("hi", 1, 0));
        drop(b);
        assert_eq!(hub.subscribers("r"), 1);
        assert_eq!(hub.publish("r", "ann", "again").0, 1);
        drop(a);
        assert_eq!(hub.subscribers("r"), 0);
        assert_eq!(hub.publish("r", "ann", "anyone?"), (0, 0));
    }

    #[tokio::test]
    async fn a_slow_subscriber_loses_messages_not_the_room() {
        let hub = Hub::default();
        let mut slow = hub.subscribe("r").unwrap();
        let mut fast = hub.subscribe("r").unwrap();
        let total = SUBSCRIBER_BUFFER + 10;
        for i in 0..total {
            let (delivered, _) = hub.publish("r", "ann", &i.to_string());
            // Both get it until the slow one's buffer is full; then only the fast one.
            assert_eq!(delivered, if i < SUBSCRIBER_BUFFER { 2 } else { 1 }, "{i}");
            let m = fast.next().await.unwrap().unwrap();
            assert_eq!(m.text, i.to_string());
        }
        for _ in 0..SUBSCRIBER_BUFFER {
            slow.next().await.unwrap().unwrap();
        }
        hub.publish("r", "ann", "last");
        let m = slow.next().await.unwrap().unwrap();
        assert_eq!((m.text.as_str(), m.skipped), ("last", 10));
    }
}
