use super::*;
use futures_util::StreamExt;
use prost::Message;
use proto::google::rpc::{BadRequest, Status as RpcStatus};

fn users() -> Users {
    Users::new(UserStore::seeded(), None)
}

#[tokio::test]
async fn known_and_unknown_ids() {
    let svc = users();
    let ok = svc
        .get_user(Request::new(UserRequest { user_id: 3 }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((ok.user_id, ok.name.as_str()), (3, "Grace Hopper"));

    let err = svc
        .get_user(Request::new(UserRequest { user_id: 42 }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);
    assert_eq!(err.message(), "user 42 not found");
}

async fn list(svc: &Users, r: ListUsersRequest) -> Vec<i32> {
    let stream = svc.list_users(Request::new(r)).await.unwrap().into_inner();
    stream.map(|u| u.unwrap().user_id).collect().await
}

#[tokio::test]
async fn listing_pages_and_filters() {
    let svc = users();
    let all = list(&svc, ListUsersRequest::default()).await;
    assert_eq!(all, (1..=12).collect::<Vec<_>>());
    let page = ListUsersRequest {
        page_size: 5,
        after_user_id: 5,
        ..Default::default()
    };
    assert_eq!(list(&svc, page).await, [6, 7, 8, 9, 10]);
    let filtered = ListUsersRequest {
        name_contains: "AR".into(),
        ..Default::default()
    };
    // Barbara Liskov, Margaret Hamilton, John McCarthy, Tony Hoare.
    assert_eq!(list(&svc, filtered).await, [5, 7, 8, 10]);
}

#[tokio::test]
async fn creation_validates_every_field() {
    let svc = users();
    let err = svc
        .create_user(Request::new(CreateUserRequest {
            name: " ".into(),
            email: "nope".into(),
        }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    let rpc = RpcStatus::decode(err.details()).unwrap();
    let br = BadRequest::decode(rpc.details[0].value.as_slice()).unwrap();
    let fields: Vec<_> = br
        .field_violations
        .iter()
        .map(|v| v.field.as_str())
        .collect();
    assert_eq!(fields, ["name", "email"]);

    let made = svc
        .create_user(Request::new(CreateUserRequest {
            name: "Niklaus Wirth".into(),
            email: "niklaus@example.com".into(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(made.user_id, 13);
    let stored = svc.store.get(13).await.unwrap().unwrap();
    assert_eq!(stored.name, "Niklaus Wirth");

    let dup = svc
        .create_user(Request::new(CreateUserRequest {
            name: "Someone".into(),
            email: "NIKLAUS@example.com".into(),
        }))
        .await
        .unwrap_err();
    assert_eq!(dup.code(), tonic::Code::AlreadyExists);
}

#[tokio::test]
async fn creation_needs_the_token_when_one_is_set() {
    let svc = Users::new(UserStore::seeded(), Some("t0ken"));
    let request = || CreateUserRequest {
        name: "Niklaus Wirth".into(),
        email: "niklaus@example.com".into(),
    };
    let err = svc.create_user(Request::new(request())).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unauthenticated);
    let mut ok = Request::new(request());
    ok.metadata_mut()
        .insert("authorization", "Bearer t0ken".parse().unwrap());
    assert!(svc.create_user(ok).await.is_ok());
}
