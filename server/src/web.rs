//! The HTTP face: gRPC-Web translation, CORS, and the optional static UI.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use http::{HeaderName, HeaderValue, Method};
use tonic::service::Routes;
use tonic_web::GrpcWebLayer;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use crate::admission::{AdmissionLayer, WatchedBody};
use crate::assets::Assets;
use crate::calls::CallBoundsLayer;
use crate::cardinality::{OneMessage, SingleMessageLayer};
use crate::config::Config;

/// Request headers a gRPC-Web client sends, admitted outside dev mode: the protocol's own
/// (`grpc-previous-rpc-attempts` on retries), `authorization`, the demo's `x-request-id`,
/// and the interop tests' metadata.
pub const ALLOWED_HEADERS: &[&str] = &[
    "content-type",
    "accept",
    "x-grpc-web",
    "x-user-agent",
    "grpc-timeout",
    "grpc-encoding",
    "grpc-accept-encoding",
    "grpc-previous-rpc-attempts",
    "authorization",
    "x-request-id",
    "x-grpc-test-echo-initial",
    "x-grpc-test-echo-trailing-bin",
];

/// Response headers a browser script may read (it sees no others): the status, which
/// arrives in headers on trailers-only replies, the encodings, and the metadata this
/// server sends back.
pub const EXPOSED_HEADERS: &[&str] = &[
    "grpc-status",
    "grpc-message",
    "grpc-retry-pushback-ms",
    "grpc-status-details-bin",
    "grpc-encoding",
    "grpc-accept-encoding",
    "x-grpc-test-echo-initial",
    "x-grpc-test-echo-trailing-bin",
];

/// CORS for gRPC-Web: the configured origins, plus loopback origins in dev mode; never `*`.
pub fn cors(config: &Config) -> CorsLayer {
    let configured: Vec<HeaderValue> = config
        .allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let dev = config.dev;
    let origin = AllowOrigin::predicate(move |origin: &HeaderValue, _| {
        configured.contains(origin) || (dev && is_loopback_origin(origin.as_bytes()))
    });
    let headers = if dev {
        // Dev tools send arbitrary metadata; the origin check above still applies.
        AllowHeaders::mirror_request()
    } else {
        AllowHeaders::list(ALLOWED_HEADERS.iter().map(|h| HeaderName::from_static(h)))
    };
    CorsLayer::new()
        .allow_origin(origin)
        .allow_methods([Method::POST, Method::OPTIONS])
        .allow_headers(headers)
        .expose_headers(
            EXPOSED_HEADERS
                .iter()
                .map(|h| HeaderName::from_static(h))
                .collect::<Vec<_>>(),
        )
        .max_age(Duration::from_secs(24 * 60 * 60))
}

/// `http://localhost[:port]`, `http://127.0.0.1[:port]` or `http://[::1][:port]`.
fn is_loopback_origin(origin: &[u8]) -> bool {
    let Some(rest) = origin.strip_prefix(b"http://") else {
        return false;
    };
    let port = [&b"localhost"[..], b"127.0.0.1", b"[::1]"]
        .iter()
        .find_map(|host| rest.strip_prefix(*host));
    match port {
        Some([]) => true,
        Some([b':', digits @ ..]) => {
            !digits.is_empty() && digits.len() <= 5 && digits.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// The gRPC routes behind gRPC-Web translation, with the static UI (if configured)
/// answering every other path, compressed and cached as [`crate::assets`] says (never the
/// gRPC replies: compressing a stream would hold its messages back).
///
/// The translation wraps the gRPC routes only: tonic-web answers any other HTTP/1.1
/// request with 400, which would hide the static files. Call bounds sit inside it, so the
/// statuses they add are translated like any other (see [`crate::calls`]); the call limit
/// sits inside the bounds, so deadlines run while a call waits for a slot
/// (see [`crate::admission`]).
pub fn app(routes: Routes, config: &Config, shutdown: CancellationToken) -> Routes {
    let router = routes
        .into_axum_router()
        .layer(
            tower::ServiceBuilder::new()
                .layer(AdmissionLayer::new(config.max_concurrent_calls))
                .layer(
                    SingleMessageLayer::from_descriptors(&[
                        proto::FILE_DESCRIPTOR_SET,
                        tonic_health::pb::FILE_DESCRIPTOR_SET,
                    ])
                    .expect("the built-in descriptor sets decode"),
                )
                .map_request(to_axum_body as fn(_) -> _),
        )
        .layer(CallBoundsLayer::new(config.request_timeout, shutdown))
        .layer(GrpcWebLayer::new());
    let router = match &config.static_dir {
        Some(dir) => router.fallback_service(Assets::new(dir)),
        None => router,
    };
    Routes::from(router)
}

/// The routes take axum's body type; the watched body goes inside it.
fn to_axum_body(
    request: http::Request<OneMessage<WatchedBody<axum::body::Body>>>,
) -> http::Request<axum::body::Body> {
    request.map(axum::body::Body::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_origins() {
        for ok in [
            "http://localhost",
            "http://localhost:8080",
            "http://127.0.0.1:1",
            "http://[::1]:65535",
        ] {
            assert!(is_loopback_origin(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "https://localhost:8080",
            "http://localhost.evil.example",
            "http://127.0.0.1.evil.example",
            "http://localhost:",
            "http://localhost:123456",
            "http://localhost:80/x",
            "http://example.com",
        ] {
            assert!(!is_loopback_origin(bad.as_bytes()), "{bad}");
        }
    }
}
