//! A failed Explorer call or discovery in the user's terms: what probably went wrong and
//! what to do, beside the status itself. The client reports what it saw (a refused fetch,
//! an HTTP 404, UNIMPLEMENTED); only the page knows the origins and what the user asked.

use grpc_web_wasm::{Code, Status};

/// The page's origin, as CORS names it.
pub fn page_origin() -> String {
    leptos::prelude::window()
        .location()
        .origin()
        .unwrap_or_default()
}

fn same_origin(url: &str) -> bool {
    url.trim_end_matches('/') == page_origin()
}

/// Why `url` could not be reached, or `None` if `status` is not about reaching it.
fn unreachable(status: &Status, url: &str) -> Option<String> {
    if let Some(http) = status.http_status() {
        return Some(format!(
            "{url} answered HTTP {http}, not gRPC-Web: is it a gRPC-Web server (or a proxy that \
             translates for one)?"
        ));
    }
    if status.code() != Code::Unavailable || !status.message().starts_with("fetch ") {
        return None;
    }
    Some(if same_origin(url) {
        format!("Nothing answers at {url}: the server may be down or restarting.")
    } else {
        format!(
            "The browser could not call {url}. Either nothing listens there, or the server's \
             CORS policy does not admit this page's origin {origin} (the browser's console \
             says which). To admit it, start the demo server with `--allow-origin {origin}`.",
            origin = page_origin()
        )
    })
}

/// A failed reflection walk, as the page shows it.
pub fn reflection(status: &Status, url: &str) -> String {
    if let Some(why) = unreachable(status, url) {
        return why;
    }
    match status.code() {
        Code::Unimplemented => format!(
            "The server at {url} has no reflection service (neither grpc.reflection.v1 nor \
             v1alpha), so it cannot list its methods. Drop a descriptor set file of its \
             .proto files here instead."
        ),
        code => format!(
            "Server reflection at {url} failed: {} {}",
            code.as_str(),
            status.message()
        ),
    }
}

/// A hint for a failed call of `method`, when there is more to say than the status.
pub fn call(status: &Status, url: &str, method: &str) -> Option<String> {
    if let Some(why) = unreachable(status, url) {
        return Some(why);
    }
    match status.code() {
        Code::Unimplemented => Some(format!(
            "The server at {url} does not serve {method}: the descriptors name a method it \
             does not have (another server's .proto files, or an older build)."
        )),
        Code::DeadlineExceeded => {
            Some("No complete reply within the deadline; raise it or leave it empty.".into())
        }
        _ => None,
    }
}
