//! The server binary as a browser (or curl) meets it: raw HTTP/1.1 on 127.0.0.1, gRPC-Web
//! frames by hand, CORS preflights, and static files, one module per topic; the helper
//! they share is here.

#[path = "../common/mod.rs"]
mod common;

mod cancel;
mod cors;
mod deadlines;
mod static_files;
mod wire;

use common::{Reply, Server, GRPC_WEB};

/// A gRPC-Web GetUser call with `UserRequest { user_id }` framed by hand: tag 0x08
/// (field 1, varint), then a one-byte varint.
fn get_user(server: &Server, user_id: u8, extra_headers: &[(&str, &str)]) -> Reply {
    assert!(user_id < 0x80);
    let headers: Vec<(&str, &str)> = GRPC_WEB.iter().chain(extra_headers).copied().collect();
    let frame = [0, 0, 0, 0, 2, 0x08, user_id];
    server.request("POST", "/demo.v1.UserService/GetUser", &headers, &frame)
}
