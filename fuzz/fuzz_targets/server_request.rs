//! The server's request decoding, in process: any body, binary or text mode, with or
//! without a `grpc-timeout`, sent to a one-message method goes through gRPC-Web
//! translation, the call bounds, the call limit, the message count and tonic's decoding,
//! and is answered (HTTP 200, a body that ends) without a panic or a hang.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

const PATHS: &[&str] = &[
    "/demo.v1.UserService/GetUser",
    "/demo.v1.UserService/CreateUser",
    "/demo.v1.UserService/ListUsers",
    "/demo.v1.ChatService/Send",
    "/grpc.health.v1.Health/Check",
];

struct Stack {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
}

fn stack() -> &'static Stack {
    static STACK: OnceLock<Stack> = OnceLock::new();
    STACK.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let config = server::config::Config::default();
        let router = runtime.block_on(async {
            let (routes, _health) = server::routes(&config).await.unwrap();
            server::web::app(routes, &config, tokio_util::sync::CancellationToken::new())
                .into_axum_router()
        });
        Stack { runtime, router }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&select, rest)) = data.split_first() else {
        return;
    };
    let (timeout, body) = if select & 0x80 != 0 {
        rest.split_at(rest.len().min(4))
    } else {
        (&[][..], rest)
    };
    let _ = server::timeout::parse(timeout);
    let content_type = if select & 0x40 != 0 {
        "application/grpc-web-text"
    } else {
        "application/grpc-web+proto"
    };
    let mut request = http::Request::post(PATHS[usize::from(select & 0x3f) % PATHS.len()])
        .header("content-type", content_type)
        .header("x-grpc-web", "1");
    if let Ok(v) = http::HeaderValue::from_bytes(timeout) {
        if !timeout.is_empty() {
            request = request.header("grpc-timeout", v);
        }
    }
    let request = request.body(axum::body::Body::from(body.to_vec())).unwrap();
    let stack = stack();
    stack.runtime.block_on(async {
        let answered = tokio::time::timeout(Duration::from_secs(10), async {
            let response = stack.router.clone().oneshot(request).await.unwrap();
            assert_eq!(response.status(), 200);
            let _ = response.into_body().collect().await;
        })
        .await;
        assert!(answered.is_ok(), "no answer within 10 s");
    });
});
