//! Users in Redis, shared by every replica: a hash of id → record, a hash of email → id
//! (which makes emails unique across the fleet), and a counter for the next id.

use tonic::Status;

use super::codec;
use super::redis::{bulk, Redis};
use super::resp::Value;
use crate::services::users::{User, MAX_USERS};

const USERS: &[u8] = b"demo:users";
const EMAILS: &[u8] = b"demo:users:emails";
const NEXT_ID: &[u8] = b"demo:users:next";

/// The user store of a fleet.
#[derive(Debug, Clone)]
pub struct SharedUsers {
    redis: Redis,
}

impl SharedUsers {
    /// The store in `redis`, with `seed` added unless already there (the first replica to
    /// start seeds it; the others find it done).
    pub async fn seeded(redis: Redis, seed: &[(i32, User)]) -> Result<SharedUsers, Status> {
        let store = SharedUsers { redis };
        let mut last = 0;
        for (id, user) in seed {
            let id_text = id.to_string();
            store
                .redis
                .call(&[b"HSETNX", USERS, id_text.as_bytes(), &record(user)])
                .await?;
            let email = user.email.to_ascii_lowercase();
            store
                .redis
                .call(&[b"HSETNX", EMAILS, email.as_bytes(), id_text.as_bytes()])
                .await?;
            last = last.max(*id);
        }
        store
            .redis
            .call(&[b"SET", NEXT_ID, last.to_string().as_bytes(), b"NX"])
            .await?;
        Ok(store)
    }

    /// The user with this id, if any.
    pub async fn get(&self, id: i32) -> Result<Option<User>, Status> {
        let value = self
            .redis
            .call(&[b"HGET", USERS, id.to_string().as_bytes()])
            .await?;
        Ok(bulk(value).and_then(|r| parse(&r)))
    }

    /// Every user, by id.
    pub async fn all(&self) -> Result<Vec<(i32, User)>, Status> {
        let Value::Array(Some(items)) = self.redis.call(&[b"HGETALL", USERS]).await? else {
            return Ok(Vec::new());
        };
        let mut users = Vec::with_capacity(items.len() / 2);
        let mut items = items.into_iter();
        while let (Some(k), Some(v)) = (items.next(), items.next()) {
            let id = bulk(k).and_then(|k| String::from_utf8(k).ok()?.parse().ok());
            if let (Some(id), Some(user)) = (id, bulk(v).and_then(|v| parse(&v))) {
                users.push((id, user));
            }
        }
        users.sort_by_key(|(id, _)| *id);
        Ok(users)
    }

    /// Adds a user under the next id; its email must be new (ASCII case ignored).
    pub async fn insert(&self, user: &User) -> Result<i32, Status> {
        if let Value::Int(n) = self.redis.call(&[b"HLEN", USERS]).await? {
            if n as usize >= MAX_USERS {
                return Err(Status::resource_exhausted("the user store is full"));
            }
        }
        let Value::Int(id) = self.redis.call(&[b"INCR", NEXT_ID]).await? else {
            return Err(Status::internal(
                "shared store: INCR did not answer a number",
            ));
        };
        let id = i32::try_from(id).map_err(|_| Status::resource_exhausted("user ids ran out"))?;
        let id_text = id.to_string();
        let email = user.email.to_ascii_lowercase();
        let claimed = self
            .redis
            .call(&[b"HSETNX", EMAILS, email.as_bytes(), id_text.as_bytes()])
            .await?;
        if claimed != Value::Int(1) {
            return Err(Status::already_exists(format!(
                "a user with email {} exists",
                user.email
            )));
        }
        self.redis
            .call(&[b"HSET", USERS, id_text.as_bytes(), &record(user)])
            .await?;
        Ok(id)
    }
}

fn record(user: &User) -> Vec<u8> {
    codec::encode(&[&user.name, &user.email])
}

fn parse(record: &[u8]) -> Option<User> {
    let mut fields = codec::decode(record, 2)?.into_iter();
    Some(User {
        name: fields.next()?,
        email: fields.next()?,
    })
}
