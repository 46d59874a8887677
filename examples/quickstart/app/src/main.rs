mod hello {
    pub mod v1 {
        include!(concat!(env!("OUT_DIR"), "/hello.v1.rs"));
    }
}

use grpc_web_wasm::{Client, Status};
use hello::v1::{GreeterClient, HelloRequest};

fn main() {
    wasm_bindgen_futures::spawn_local(async {
        let name = query("name").unwrap_or_else(|| "Chromium".into());
        let text = match greet(&name).await {
            Ok(message) => message,
            Err(status) => format!("failed: {status}"),
        };
        show(&text);
    });
}

/// Calls `SayHello` on the server and returns its greeting.
async fn greet(name: &str) -> Result<String, Status> {
    let greeter = GreeterClient::new(Client::new(server_url()));
    let reply = greeter
        .say_hello(HelloRequest { name: name.into() })
        .await?;
    Ok(reply.into_inner().message)
}

/// The server's address: `?server=URL` in the page's address, else the one the server
/// listens on by default.
fn server_url() -> String {
    query("server").unwrap_or_else(|| "http://127.0.0.1:50051".into())
}

/// A parameter of the page's address (`?name=Ada`).
fn query(key: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(key)
}

/// Writes `text` into the page's `#reply` element.
fn show(text: &str) {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a page");
    if let Some(reply) = document.get_element_by_id("reply") {
        reply.set_text_content(Some(text));
    }
}
