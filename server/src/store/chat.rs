//! Chat across a fleet: every message a replica's room gets is also published on one Redis
//! channel, and every replica delivers what the others publish to its own subscribers.
//! Each replica numbers the messages it delivers (`sequence`) in the order it gets them,
//! and `SendReply.delivered` counts the sending replica's subscribers only.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;

use super::codec;
use super::redis::Redis;
use super::resp::{self, Value};
use crate::services::chat::Hub;

const CHANNEL: &[u8] = b"demo:chat";
/// Messages waiting to be published before new ones are dropped (and logged).
const OUTBOX: usize = 1024;

/// Publishes a replica's chat messages to the others.
#[derive(Debug, Clone)]
pub struct Relay {
    origin: String,
    outbox: mpsc::Sender<Vec<u8>>,
}

impl Relay {
    /// Hands a message to the publisher; never waits.
    pub fn forward(&self, room: &str, author: &str, text: &str, sent_at_unix_ms: i64) {
        let sent = sent_at_unix_ms.to_string();
        let payload = codec::encode(&[&self.origin, room, author, text, &sent]);
        if self.outbox.try_send(payload).is_err() {
            tracing::warn!(
                room,
                "chat relay backlog full: a message stays on this replica"
            );
        }
    }
}

/// Starts relaying `hub`'s messages through `redis` (a publisher and a subscriber task on
/// the current runtime) and returns the relay to give the hub.
pub fn start(redis: Redis, hub: Hub) -> Relay {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let origin = format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let (outbox, mut pending) = mpsc::channel::<Vec<u8>>(OUTBOX);
    let publisher = redis.clone();
    tokio::spawn(async move {
        while let Some(payload) = pending.recv().await {
            if let Err(e) = publisher.call(&[b"PUBLISH", CHANNEL, &payload]).await {
                tracing::warn!(error = %e, "chat relay could not publish");
            }
        }
    });
    let me = origin.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = subscribe(&redis, &hub, &me).await {
                tracing::warn!(error = %e, "chat relay subscription lost; reconnecting");
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    Relay { origin, outbox }
}

/// Delivers what other replicas publish until the connection fails.
async fn subscribe(redis: &Redis, hub: &Hub, me: &str) -> Result<(), String> {
    let mut conn = redis.connect().await.map_err(|s| s.message().to_owned())?;
    resp::send(&mut conn, &[b"SUBSCRIBE", CHANNEL])
        .await
        .map_err(|e| e.to_string())?;
    loop {
        let value = resp::read(&mut conn).await.map_err(|e| e.to_string())?;
        let Value::Array(Some(parts)) = value else {
            continue;
        };
        let [Value::Bulk(Some(kind)), _, Value::Bulk(Some(payload))] = &parts[..] else {
            continue;
        };
        if kind != b"message" {
            continue;
        }
        let Some(fields) = codec::decode(payload, 5) else {
            tracing::warn!("chat relay: a malformed message was ignored");
            continue;
        };
        let [origin, room, author, text, sent] = &fields[..] else {
            continue;
        };
        if origin != me {
            hub.deliver(room, author, text, sent.parse().unwrap_or(0));
        }
    }
}
