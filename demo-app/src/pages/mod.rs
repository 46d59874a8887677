//! One module per page.

pub mod chat;
pub mod scores;
pub mod users;
