//! Where the Explorer's schema comes from: the server's reflection service (v1, else
//! v1alpha), walked with the client's `Discovery`, or a descriptor set file the user drops
//! on the page. Failures are told in the user's terms.

use bytes::Bytes;
use grpc_web_wasm::dynamic::{Discovery, Schema, REFLECTION_PATHS};
use grpc_web_wasm::{Client, Code, Request, Status};

use super::explain;

/// Where the schema came from, which the grpcurl command needs to know.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Reflection,
    /// A descriptor set file, by name.
    File(String),
}

/// Asks the reflection service at `client`'s server for every service and its files.
pub async fn reflect(client: &Client) -> Result<Schema, String> {
    let mut discovery = Discovery::new();
    let mut version = 0;
    let url = client.base_url().to_string();
    let fail = |status: Status| explain::reflection(&status, &url);
    while let Some((query, body)) = discovery.next_request().map_err(fail)? {
        let answer = loop {
            match ask(client, REFLECTION_PATHS[version], body.clone()).await {
                // The older servers have only v1alpha.
                Err(status) if status.code() == Code::Unimplemented && version == 0 => version = 1,
                other => break other.map_err(fail)?,
            }
        };
        discovery.on_response(&query, &answer).map_err(fail)?;
    }
    discovery.finish().map_err(fail)
}

/// One reflection exchange: one request, the first reply.
async fn ask(client: &Client, path: &str, body: Vec<u8>) -> Result<Bytes, Status> {
    let mut replies = client
        .server_streaming_raw(path, Request::new(Bytes::from(body)))
        .await?;
    replies.message().await?.ok_or_else(|| {
        Status::new(
            Code::Internal,
            "the reflection service ended without answering",
        )
    })
}

/// The schema in the descriptor set file `name`.
pub fn from_file(name: &str, bytes: &[u8]) -> Result<Schema, String> {
    Schema::from_file_descriptor_set(bytes).map_err(|status| {
        format!(
            "{name} is not a usable descriptor set ({}). Make one with `protoc \
             --include_imports --descriptor_set_out=FILE` or `buf build -o FILE`.",
            status.message()
        )
    })
}

/// The bytes of the file a user picked or dropped.
pub async fn read(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| format!("could not read {}", file.name()))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
