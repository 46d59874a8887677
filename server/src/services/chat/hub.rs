//! The fan-out behind `ChatService`: rooms, their subscribers with bounded buffers, and
//! the subscription stream that unregisters itself when dropped.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::Stream;
use proto::demo::v1::ChatMessage;
use tokio::sync::mpsc;
use tonic::Status;

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
    pub(in crate::services) fn subscribe(&self, room: &str) -> Result<Subscription, Status> {
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
    pub(in crate::services) fn publish(&self, room: &str, author: &str, text: &str) -> (u32, u64) {
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
    pub(in crate::services) fn try_next(&mut self) -> Option<ChatMessage> {
        self.rx.try_recv().ok()
    }
}

impl Stream for Subscription {
    type Item = Result<ChatMessage, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx).map(|m| m.map(Ok))
    }
}
