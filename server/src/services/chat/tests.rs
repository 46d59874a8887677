//! Unit tests of the chat hub: fan-out, unsubscribing on drop, and a slow subscriber losing
//! messages rather than stalling the room.

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
