//! The demo UI's static files, as a browser should get them: gzip-compressed when it asks
//! (the wasm module shrinks to about a third), and cached by what each file is. Trunk puts a
//! content hash in every asset's name, so those never change and are cached for a year
//! without asking again; `index.html` names the current hashes, so browsers revalidate it on
//! every load (`no-cache`, answered `304` while it is unchanged) and a new build shows at once.
//!
//! A gRPC call to a method the server does not have also lands here, as every path no route
//! takes does: it gets the `UNIMPLEMENTED` a gRPC server owes it, not the file server's `405`.

use std::convert::Infallible;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, Request, Response};
use tonic::body::Body;
use tower::{Layer, Service};
use tower_http::compression::{Compression, CompressionLayer};
use tower_http::services::ServeDir;

/// `cache-control` of a file whose name holds its content hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `cache-control` of everything else: keep it, but ask the server before each use.
pub const REVALIDATE: &str = "no-cache";

/// Serves the files under `dir` (a directory's `index.html` for the directory).
#[derive(Clone)]
pub struct Assets {
    inner: Compression<ServeDir>,
}

impl Assets {
    /// The files under `dir`.
    pub fn new(dir: &Path) -> Assets {
        // Compressed on the fly: the default predicate skips tiny files, images and gRPC,
        // and answers with `vary: accept-encoding`. The bundle is a few hundred KB, which
        // gzip handles in milliseconds; build-time compression would add a build step.
        let serve = ServeDir::new(dir).append_index_html_on_directories(true);
        Assets {
            inner: CompressionLayer::new().gzip(true).layer(serve),
        }
    }
}

impl<B: Send + 'static> Service<Request<B>> for Assets {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Service::<Request<B>>::poll_ready(&mut self.inner, cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        if let Some(reply) = unknown_method(&request) {
            return Box::pin(async move { Ok(reply) });
        }
        let policy = HeaderValue::from_static(cache_control(request.uri().path()));
        let reply = self.inner.call(request);
        Box::pin(async move {
            let mut response = reply.await?;
            let status = response.status();
            if status.is_success() || status == http::StatusCode::NOT_MODIFIED {
                response.headers_mut().insert(CACHE_CONTROL, policy);
            }
            Ok(response.map(Body::new))
        })
    }
}

/// The reply to a gRPC (or gRPC-Web) call of a method no route serves: `UNIMPLEMENTED`, as
/// a trailers-only reply in the call's own content type; `None` for anything else.
fn unknown_method<B>(request: &Request<B>) -> Option<Response<Body>> {
    let content_type = request.headers().get(CONTENT_TYPE)?;
    if !content_type.as_bytes().starts_with(b"application/grpc") {
        return None;
    }
    // The path is ASCII (a URI's); grpc-message percent-encodes spaces and `%`.
    let message = format!("unknown method {}", request.uri().path())
        .replace('%', "%25")
        .replace(' ', "%20");
    Response::builder()
        .header(CONTENT_TYPE, content_type)
        .header("grpc-status", "12")
        .header("grpc-message", message)
        .body(Body::empty())
        .ok()
}

/// The caching policy for the file at `path`.
fn cache_control(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or_default();
    if is_hashed(name) {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

/// Whether `name` is a trunk asset named for its content: `stem-<hash>`, then `_bg` for the
/// wasm module, then the extension (`demo-app-0123456789abcdef_bg.wasm`). Trunk writes the
/// 64-bit hash in hex without leading zeros, so one name in 16 has 15 digits
/// (`demo-app-eed21f89a1c5524_bg.wasm` was one); 12 to 16 digits are taken, which leaves out
/// only one hash in 16^5 (about a million) and keeps short hex words in plain names plain.
fn is_hashed(name: &str) -> bool {
    let Some((stem, _extension)) = name.rsplit_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((base, hash)) => {
            !base.is_empty()
                && (12..=16).contains(&hash.len())
                && hash.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_immutable_and_the_rest_revalidated() {
        for hashed in [
            "/demo-app-0123456789abcdef_bg.wasm",
            "/demo-app-0123456789abcdef.js",
            "/style-fedcba9876543210.css",
            // Leading zeros of the hash left out, as trunk writes them.
            "/demo-app-eed21f89a1c5524_bg.wasm",
            "/demo-app-7fdb8b56e6ab9a8.js",
            "/style-123456789abc.css",
        ] {
            assert_eq!(cache_control(hashed), IMMUTABLE, "{hashed}");
        }
        for plain in [
            "/",
            "/index.html",
            "/style.css",
            "/demo-app-0123456789abcdef0.js",
            "/demo-app-0123456789a.js",
            "/demo-app-cafe.js",
            "/demo-app-0123456789abcdeg.js",
            "/-0123456789abcdef.js",
            "/0123456789abcdef",
        ] {
            assert_eq!(cache_control(plain), REVALIDATE, "{plain}");
        }
    }
}
