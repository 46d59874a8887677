//! `demo.v1.UserService` over a small store: in memory, or shared by a fleet in Redis
//! ([`crate::store`]).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures_util::stream;
use proto::demo::v1::user_service_server::{UserService, UserServiceServer};
use proto::demo::v1::{CreateUserRequest, ListUsersRequest, UserRequest, UserResponse};
use tonic::{Request, Response, Status};

use super::details::{bad_request, violation};
use super::BoxStream;
use crate::auth::check_bearer;
use crate::store::{Redis, SharedUsers};

/// Most users the store holds: creation beyond it is `RESOURCE_EXHAUSTED`, so a client
/// cannot grow the server's memory without bound.
pub const MAX_USERS: usize = 10_000;
/// Longest pause `ListUsers` honours between users.
const MAX_DELAY: Duration = Duration::from_secs(1);

/// A user as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Display name.
    pub name: String,
    /// Contact address.
    pub email: String,
}

/// Users keyed by id, seeded at start; shared by all calls, and by every replica of a fleet
/// when kept in Redis.
#[derive(Debug, Clone)]
pub struct UserStore {
    users: Arc<RwLock<BTreeMap<i32, User>>>,
    shared: Option<SharedUsers>,
}

impl UserStore {
    /// The demo's users: ids 1 to 12 (1 is Ada Lovelace, 2 Alan Turing, 3 Grace Hopper).
    pub fn seeded() -> Self {
        let users = [
            "Ada Lovelace",
            "Alan Turing",
            "Grace Hopper",
            "Edsger Dijkstra",
            "Barbara Liskov",
            "Donald Knuth",
            "Margaret Hamilton",
            "John McCarthy",
            "Frances Allen",
            "Tony Hoare",
            "Radia Perlman",
            "Ken Thompson",
        ]
        .into_iter()
        .zip(1..)
        .map(|(name, id)| {
            let first = name.split(' ').next().unwrap_or(name).to_ascii_lowercase();
            let user = User {
                name: name.into(),
                email: format!("{first}@example.com"),
            };
            (id, user)
        })
        .collect();
        UserStore {
            users: Arc::new(RwLock::new(users)),
            shared: None,
        }
    }

    /// The demo's users in Redis, shared by every replica that uses the same Redis (the
    /// seed is added by the first one).
    pub async fn seeded_in(redis: Redis) -> Result<Self, Status> {
        let seed: Vec<(i32, User)> = Self::seeded()
            .read()
            .iter()
            .map(|(&id, u)| (id, u.clone()))
            .collect();
        Ok(UserStore {
            users: Arc::default(),
            shared: Some(SharedUsers::seeded(redis, &seed).await?),
        })
    }

    /// The user with this id, if any.
    pub async fn get(&self, id: i32) -> Result<Option<User>, Status> {
        match &self.shared {
            Some(shared) => shared.get(id).await,
            None => Ok(self.read().get(&id).cloned()),
        }
    }

    /// Users after `after_id` whose names contain `needle` (ASCII case ignored), at most `limit`.
    async fn list(
        &self,
        after_id: i32,
        needle: &str,
        limit: usize,
    ) -> Result<Vec<UserResponse>, Status> {
        let needle = needle.to_ascii_lowercase();
        let wanted = |&(id, u): &(i32, &User)| {
            id > after_id && u.name.to_ascii_lowercase().contains(&needle)
        };
        Ok(match &self.shared {
            Some(shared) => shared
                .all()
                .await?
                .iter()
                .map(|(id, u)| (*id, u))
                .filter(wanted)
                .take(limit)
                .map(|(id, u)| response(id, u))
                .collect(),
            None => self
                .read()
                .range(after_id.saturating_add(1)..)
                .map(|(&id, u)| (id, u))
                .filter(wanted)
                .take(limit)
                .map(|(id, u)| response(id, u))
                .collect(),
        })
    }

    /// Adds a user under the next free id.
    async fn insert(&self, user: User) -> Result<i32, Status> {
        if let Some(shared) = &self.shared {
            return shared.insert(&user).await;
        }
        let mut users = self
            .users
            .write()
            .map_err(|_| Status::internal("user store poisoned"))?;
        if users
            .values()
            .any(|u| u.email.eq_ignore_ascii_case(&user.email))
        {
            return Err(Status::already_exists(format!(
                "a user with email {} exists",
                user.email
            )));
        }
        if users.len() >= MAX_USERS {
            return Err(Status::resource_exhausted("the user store is full"));
        }
        let id = users
            .last_key_value()
            .map_or(1, |(&id, _)| id.saturating_add(1));
        users.insert(id, user);
        Ok(id)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<i32, User>> {
        // A panic while writing leaves the map whole (inserts are single calls).
        self.users.read().unwrap_or_else(|e| e.into_inner())
    }
}

fn response(id: i32, user: &User) -> UserResponse {
    UserResponse {
        user_id: id,
        name: user.name.clone(),
        email: user.email.clone(),
    }
}

/// Checks a new user's fields; every problem becomes one field violation.
fn validate(request: &CreateUserRequest) -> Result<User, Status> {
    let mut violations = Vec::new();
    let name = request.name.trim();
    if name.is_empty() {
        violations.push(violation("name", "must not be empty", "REQUIRED"));
    } else if request.name.chars().count() > 100 {
        violations.push(violation(
            "name",
            "must be at most 100 characters",
            "TOO_LONG",
        ));
    }
    let email = request.email.trim();
    let well_formed = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !email.chars().any(char::is_whitespace)
    });
    if email.is_empty() {
        violations.push(violation("email", "must not be empty", "REQUIRED"));
    } else if email.len() > 254 {
        violations.push(violation("email", "must be at most 254 bytes", "TOO_LONG"));
    } else if !well_formed {
        violations.push(violation(
            "email",
            "must look like name@example.com",
            "FORMAT",
        ));
    }
    if violations.is_empty() {
        Ok(User {
            name: name.into(),
            email: email.into(),
        })
    } else {
        Err(bad_request("invalid user", violations))
    }
}

/// The `UserService` implementation.
#[derive(Debug, Clone)]
pub struct Users {
    store: UserStore,
    auth_token: Option<Arc<str>>,
}

impl Users {
    /// A service over `store`; `CreateUser` demands `auth_token` as a bearer token if given.
    pub fn new(store: UserStore, auth_token: Option<&str>) -> Self {
        Users {
            store,
            auth_token: auth_token.map(Arc::from),
        }
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
        match self.store.get(id).await? {
            Some(user) => Ok(Response::new(response(id, &user))),
            None => Err(Status::not_found(format!("user {id} not found"))),
        }
    }

    type ListUsersStream = BoxStream<UserResponse>;

    async fn list_users(
        &self,
        request: Request<ListUsersRequest>,
    ) -> Result<Response<Self::ListUsersStream>, Status> {
        let r = request.into_inner();
        let limit = match r.page_size {
            0 => usize::MAX,
            n => n as usize,
        };
        let users = self
            .store
            .list(r.after_user_id, &r.name_contains, limit)
            .await?;
        let delay = Duration::from_millis(r.delay_ms.into()).min(MAX_DELAY);
        let stream = stream::unfold(users.into_iter(), move |mut users| async move {
            let user = users.next()?;
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            Some((Ok(user), users))
        });
        Ok(Response::new(Box::pin(stream)))
    }

    async fn create_user(
        &self,
        request: Request<CreateUserRequest>,
    ) -> Result<Response<UserResponse>, Status> {
        check_bearer(request.metadata(), self.auth_token.as_deref())?;
        let user = validate(request.get_ref())?;
        let id = self.store.insert(user.clone()).await?;
        tracing::info!(user_id = id, "user created");
        Ok(Response::new(response(id, &user)))
    }
}

#[cfg(test)]
mod tests;
