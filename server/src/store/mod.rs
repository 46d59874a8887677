//! Where the demo's shared state lives: in this process (the default, nothing to install),
//! or in Redis (`--store redis://HOST:PORT`) so that a fleet of replicas behind a load
//! balancer agrees: users in Redis hashes, chat fanned out over Redis pub/sub. Scores are
//! simulated per call and hold no shared state.

pub mod chat;
mod codec;
pub mod redis;
mod resp;
pub mod users;

pub use self::redis::Redis;
pub use self::users::SharedUsers;

/// The store a server uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum StoreChoice {
    /// In this process.
    #[default]
    Memory,
    /// Redis at this `redis://HOST:PORT` URL.
    Redis(String),
}

impl StoreChoice {
    /// `memory`, or a `redis://HOST:PORT` URL.
    pub fn parse(text: &str) -> Result<StoreChoice, String> {
        if text == "memory" {
            return Ok(StoreChoice::Memory);
        }
        Redis::from_url(text)
            .map(|_| StoreChoice::Redis(text.to_owned()))
            .map_err(|e| format!("--store {e} (or memory)"))
    }
}
