//! CORS: preflights admitted for configured origins (and loopback ones in dev mode), and
//! the status headers exposed to scripts.

use crate::common::{Reply, Server};
use crate::get_user;

fn preflight(server: &Server, origin: &str) -> Reply {
    server.request(
        "OPTIONS",
        "/demo.v1.UserService/GetUser",
        &[
            ("origin", origin),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "content-type,x-grpc-web,x-user-agent",
            ),
        ],
        b"",
    )
}

#[test]
fn cors_admits_configured_origins_only() {
    let server = Server::start(&["--allow-origin", "https://app.example.com"]);
    let ok = preflight(&server, "https://app.example.com");
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let allowed = ok.header("access-control-allow-headers").unwrap_or("");
    assert!(
        allowed.contains("x-grpc-web") && allowed.contains("content-type"),
        "{allowed}"
    );
    // Retries (gRFC A6) say which attempt they are.
    assert!(allowed.contains("grpc-previous-rpc-attempts"), "{allowed}");
    for refused in ["https://evil.example", "http://localhost:3000", "null"] {
        let r = preflight(&server, refused);
        assert_eq!(r.header("access-control-allow-origin"), None, "{refused}");
    }
    // Status headers must be readable by scripts on trailers-only replies.
    let reply = get_user(&server, 1, &[("origin", "https://app.example.com")]);
    let exposed = reply.header("access-control-expose-headers").unwrap_or("");
    assert!(
        exposed.contains("grpc-status") && exposed.contains("grpc-message"),
        "{exposed}"
    );
    // And a server's pushback, which steers them.
    assert!(exposed.contains("grpc-retry-pushback-ms"), "{exposed}");
}

#[test]
fn dev_mode_admits_loopback_origins() {
    let server = Server::start(&["--dev"]);
    let ok = preflight(&server, "http://localhost:3000");
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    let refused = preflight(&server, "https://evil.example");
    assert_eq!(refused.header("access-control-allow-origin"), None);
}
