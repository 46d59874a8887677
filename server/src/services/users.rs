//! `demo.v1.UserService` over a small in-memory store.

use std::collections::BTreeMap;

use proto::demo::v1::user_service_server::{UserService, UserServiceServer};
use proto::demo::v1::{CreateUserRequest, ListUsersRequest, UserRequest, UserResponse};
use tonic::{Request, Response, Status};

/// A user as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Display name.
    pub name: String,
    /// Contact address.
    pub email: String,
}

/// Read-only users keyed by id, seeded at start.
#[derive(Debug, Clone)]
pub struct UserStore {
    users: BTreeMap<i32, User>,
}

impl UserStore {
    /// The demo's fixed users: ids 1, 2 and 3.
    pub fn seeded() -> Self {
        let users = [
            (1, "Ada Lovelace", "ada@example.com"),
            (2, "Alan Turing", "alan@example.com"),
            (3, "Grace Hopper", "grace@example.com"),
        ]
        .into_iter()
        .map(|(id, name, email)| {
            let user = User {
                name: name.into(),
                email: email.into(),
            };
            (id, user)
        })
        .collect();
        UserStore { users }
    }

    /// The user with this id, if any.
    pub fn get(&self, id: i32) -> Option<&User> {
        self.users.get(&id)
    }
}

/// The `UserService` implementation.
#[derive(Debug, Clone)]
pub struct Users {
    store: UserStore,
}

impl Users {
    /// A service over `store`.
    pub fn new(store: UserStore) -> Self {
        Users { store }
    }

    /// The tonic service, ready to add to a router.
    pub fn into_service(self) -> UserServiceServer<Self> {
        UserServiceServer::new(self)
    }
}

#[tonic::async_trait]
impl UserService for Users {
    async fn get_user(
        &self,
        request: Request<UserRequest>,
    ) -> Result<Response<UserResponse>, Status> {
        let id = request.into_inner().user_id;
        match self.store.get(id) {
            Some(user) => Ok(Response::new(UserResponse {
                user_id: id,
                name: user.name.clone(),
                email: user.email.clone(),
            })),
            None => Err(Status::not_found(format!("user {id} not found"))),
        }
    }

    type ListUsersStream =
        std::pin::Pin<Box<dyn tokio_stream::Stream<Item = Result<UserResponse, Status>> + Send>>;

    async fn list_users(
        &self,
        _request: Request<ListUsersRequest>,
    ) -> Result<Response<Self::ListUsersStream>, Status> {
        Err(Status::unimplemented("ListUsers: not yet"))
    }

    async fn create_user(
        &self,
        _request: Request<CreateUserRequest>,
    ) -> Result<Response<UserResponse>, Status> {
        Err(Status::unimplemented("CreateUser: not yet"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn known_and_unknown_ids() {
        let svc = Users::new(UserStore::seeded());
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
}
