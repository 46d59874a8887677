//! Shared by the browser suites: the servers xtask starts, and reading a stream to its end.

#![allow(dead_code)] // each suite uses its own part

use grpc_web_wasm::{Client, Status, Streaming};

/// A URL xtask passes at build time. Missing, the tests fail with a pointer to the right
/// command rather than failing to compile under `cargo clippy`.
#[macro_export]
macro_rules! test_env {
    ($name:literal) => {
        match option_env!($name) {
            Some(url) => url,
            None => panic!(concat!(
                $name,
                " is unset: run the browser tests with `cargo xtask test`"
            )),
        }
    };
}

/// A client for the dev-mode server.
pub fn server() -> Client {
    Client::new(test_env!("GRPC_WEB_TEST_SERVER"))
}

/// Reads `stream` to its end, which must be an error status.
pub async fn final_status<T>(stream: &mut Streaming<T>) -> Status {
    loop {
        match stream.message().await {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("the stream ended OK; an error status was expected"),
            Err(status) => return status,
        }
    }
}

/// The error status a server-streaming call ends with, from the call or from its stream.
pub async fn stream_status<T>(call: Result<Streaming<T>, Status>) -> Status {
    match call {
        Ok(mut stream) => final_status(&mut stream).await,
        Err(status) => status,
    }
}
