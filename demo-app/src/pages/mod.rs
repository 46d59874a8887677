//! One module per page.

pub mod chat;
pub mod explorer;
pub mod not_found;
pub mod scores;
pub mod telemetry;
pub mod users;
