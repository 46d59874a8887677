//! The shared store against a real Redis (Debian's `redis-server`, which
//! `cargo xtask test` installs), started on a free loopback port for each test and stopped
//! after it: two replicas over one Redis agree on users and relay chat to each other.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use proto::demo::v1::chat_service_server::ChatService;
use proto::demo::v1::user_service_server::UserService;
use proto::demo::v1::{
    CreateUserRequest, ListUsersRequest, SendRequest, SubscribeRequest, UserRequest,
};
use server::services::chat::{Chat, Hub};
use server::services::users::{UserStore, Users};
use server::store::{chat, Redis};
use tonic::{Code, Request};

/// A redis-server of this test's own; killed when dropped.
struct RedisServer {
    child: Child,
    url: String,
}

impl RedisServer {
    fn start() -> RedisServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server runs (cargo xtask test installs Debian's redis-server)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        RedisServer {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        }
    }

    fn redis(&self) -> Redis {
        Redis::from_url(&self.url).unwrap()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn replica(redis: &RedisServer) -> Users {
    Users::new(UserStore::seeded_in(redis.redis()).await.unwrap(), None)
}

#[tokio::test]
async fn users_created_on_one_replica_are_read_on_another() {
    let redis = RedisServer::start();
    let (a, b) = (replica(&redis).await, replica(&redis).await);
    let seeded = b
        .get_user(Request::new(UserRequest { user_id: 3 }))
        .await
        .unwrap();
    assert_eq!(seeded.get_ref().name, "Grace Hopper");

    let create = |email: &str| CreateUserRequest {
        name: "Niklaus Wirth".into(),
        email: email.into(),
    };
    let made = a
        .create_user(Request::new(create("niklaus@example.com")))
        .await
        .unwrap();
    assert_eq!(
        made.get_ref().user_id,
        13,
        "ids continue after the seed, once"
    );
    let read = b
        .get_user(Request::new(UserRequest { user_id: 13 }))
        .await
        .unwrap();
    assert_eq!(read.get_ref().email, "niklaus@example.com");
    let dup = b
        .create_user(Request::new(create("NIKLAUS@example.com")))
        .await
        .unwrap_err();
    assert_eq!(dup.code(), Code::AlreadyExists);
    let next = b
        .create_user(Request::new(create("wirth@example.com")))
        .await
        .unwrap();
    assert!(next.get_ref().user_id > 13);

    let listed: Vec<i32> = a
        .list_users(Request::new(ListUsersRequest {
            after_user_id: 11,
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner()
        .map(|u| u.unwrap().user_id)
        .collect()
        .await;
    assert_eq!(listed, [12, 13, next.get_ref().user_id]);
}

#[tokio::test]
async fn a_store_that_is_down_is_unavailable() {
    let redis = RedisServer::start();
    let users = replica(&redis).await;
    drop(redis);
    let err = users
        .get_user(Request::new(UserRequest { user_id: 1 }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unavailable, "{err:?}");
}

#[tokio::test]
async fn chat_posted_on_one_replica_reaches_subscribers_of_another() {
    let redis = RedisServer::start();
    let hub = |r: &RedisServer| {
        let hub = Hub::default();
        let relay = chat::start(r.redis(), hub.clone());
        Chat::new(hub.with_relay(relay))
    };
    let (a, b) = (hub(&redis), hub(&redis));
    let mut on_b = b
        .subscribe(Request::new(SubscribeRequest {
            room: "fleet".into(),
        }))
        .await
        .unwrap()
        .into_inner();
    // The relay subscribes in the background: post until B hears (bounded).
    let deadline = Instant::now() + Duration::from_secs(10);
    let message = loop {
        let send = SendRequest {
            room: "fleet".into(),
            author: "ada".into(),
            text: "hello".into(),
        };
        a.send(Request::new(send)).await.unwrap();
        match tokio::time::timeout(Duration::from_millis(200), on_b.next()).await {
            Ok(Some(m)) => break m.unwrap(),
            _ => assert!(Instant::now() < deadline, "no message crossed replicas"),
        }
    };
    assert_eq!(
        (message.author.as_str(), message.text.as_str()),
        ("ada", "hello")
    );
    assert!(message.sent_at_unix_ms > 0);
}
