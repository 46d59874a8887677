//! The gRPC services this server implements, one module each.

pub mod users;
