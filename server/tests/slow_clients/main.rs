//! Clients that hold on without finishing: slow request bodies, readers that never read,
//! idle connections. Each case runs the real server binary on 127.0.0.1 with its limits
//! scaled down by flags, so hundreds of connections stand in for thousands. One module per
//! kind of client.

#[path = "../common/mod.rs"]
mod common;

mod bodies;
mod idle;
mod readers;
