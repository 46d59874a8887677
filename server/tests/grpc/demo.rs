//! The demo services: users (paging, validation), scores (a stream per match) and chat
//! (fan-out, cancelled subscribers forgotten).

use std::time::{Duration, Instant};

use proto::demo::v1::chat_service_client::ChatServiceClient;
use proto::demo::v1::score_service_client::ScoreServiceClient;
use proto::demo::v1::user_service_client::UserServiceClient;
use proto::demo::v1::{
    CreateUserRequest, ListUsersRequest, SendRequest, SubscribeRequest, WatchScoresRequest,
};
use tokio_stream::StreamExt;
use tonic::Code;

use crate::common::Server;

#[tokio::test]
async fn users_list_pages_and_create_validates() {
    let server = Server::start(&[]);
    let mut users = UserServiceClient::new(server.channel().await);
    let page: Vec<i32> = users
        .list_users(ListUsersRequest {
            page_size: 3,
            after_user_id: 2,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .map(|u| u.unwrap().user_id)
        .collect()
        .await;
    assert_eq!(page, [3, 4, 5]);
    let err = users
        .create_user(CreateUserRequest {
            name: "x".into(),
            email: "bad".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(!err.details().is_empty(), "BadRequest details");
}

#[tokio::test]
async fn scores_stream_for_the_chosen_match() {
    let server = Server::start(&[]);
    let mut scores = ScoreServiceClient::new(server.channel().await);
    let updates: Vec<_> = scores
        .watch_scores(WatchScoresRequest {
            match_ids: vec!["m2".into()],
            max_updates: 4,
            interval_ms: 10,
        })
        .await
        .unwrap()
        .into_inner()
        .map(|u| u.unwrap())
        .collect()
        .await;
    assert_eq!(updates.len(), 4);
    assert!(updates.iter().all(|u| u.match_id == "m2"));
    assert_eq!(updates[0].event, "kick-off");
    let err = scores
        .watch_scores(WatchScoresRequest {
            match_ids: vec!["nope".into()],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
}

#[tokio::test]
async fn chat_fans_out_and_forgets_cancelled_subscribers() {
    let server = Server::start(&[]);
    let channel = server.channel().await;
    let mut chat = ChatServiceClient::new(channel.clone());
    let room = "lobby";
    let mut a = chat
        .subscribe(SubscribeRequest { room: room.into() })
        .await
        .unwrap()
        .into_inner();
    let b = ChatServiceClient::new(channel.clone())
        .subscribe(SubscribeRequest { room: room.into() })
        .await
        .unwrap()
        .into_inner();
    let send = |text: &str| SendRequest {
        room: room.into(),
        author: "ann".into(),
        text: text.into(),
    };
    let reply = chat.send(send("hi")).await.unwrap().into_inner();
    assert_eq!(reply.delivered, 2);
    let got = a.message().await.unwrap().unwrap();
    assert_eq!((got.author.as_str(), got.text.as_str()), ("ann", "hi"));

    drop(b); // an HTTP/2 reset of that stream
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let delivered = chat
            .send(send("again"))
            .await
            .unwrap()
            .into_inner()
            .delivered;
        if delivered == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "still {delivered}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
