//! The server binary as a browser (or curl) meets it: raw HTTP/1.1 on 127.0.0.1, gRPC-Web
//! frames by hand, CORS preflights, and static files.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A server process, killed on drop.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the server");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        // Keep draining, as a terminal would, so later lines never block or break the server.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Server { child, addr }
    }

    /// Sends a raw request (with `Connection: close`) and returns (status, headers, body).
    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\ncontent-length: {}\r\n",
            self.addr,
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).unwrap();
        s.write_all(body).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        Reply::parse(&raw)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn parse(raw: &[u8]) -> Reply {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("end of head");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v == "chunked")
        {
            body = dechunk(&body);
        }
        Reply {
            status,
            headers,
            body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size line");
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..eol]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[eol + 2 + size + 2..];
    }
}

/// Splits a gRPC-Web body into (flags, payload) frames.
fn frames(mut body: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while !body.is_empty() {
        let len = u32::from_be_bytes(body[1..5].try_into().unwrap()) as usize;
        out.push((body[0], body[5..5 + len].to_vec()));
        body = &body[5 + len..];
    }
    out
}

const GRPC_WEB: &[(&str, &str)] = &[
    ("content-type", "application/grpc-web+proto"),
    ("x-grpc-web", "1"),
];

/// A gRPC-Web GetUser call with `UserRequest { user_id }` framed by hand: tag 0x08
/// (field 1, varint), then a one-byte varint.
fn get_user(server: &Server, user_id: u8, extra_headers: &[(&str, &str)]) -> Reply {
    assert!(user_id < 0x80);
    let headers: Vec<(&str, &str)> = GRPC_WEB.iter().chain(extra_headers).copied().collect();
    let frame = [0, 0, 0, 0, 2, 0x08, user_id];
    server.request("POST", "/demo.v1.UserService/GetUser", &headers, &frame)
}

#[test]
fn get_user_over_grpc_web() {
    let server = Server::start(&[]);
    let reply = get_user(&server, 1, &[]);
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("application/grpc-web+proto")
    );
    let frames = frames(&reply.body);
    assert_eq!(frames.len(), 2, "data + trailers");
    let (flags, message) = &frames[0];
    assert_eq!(*flags, 0);
    let text = String::from_utf8_lossy(message);
    assert!(
        text.contains("Ada Lovelace") && text.contains("ada@example.com"),
        "{text}"
    );
    let (flags, trailers) = &frames[1];
    assert_eq!(*flags, 0x80);
    assert_eq!(String::from_utf8_lossy(trailers).trim(), "grpc-status:0");
}

#[test]
fn unknown_user_is_not_found_in_the_trailers() {
    let server = Server::start(&[]);
    let reply = get_user(&server, 99, &[]);
    assert_eq!(reply.status, 200);
    let frames = frames(&reply.body);
    let trailers = frames
        .iter()
        .find(|(f, _)| *f == 0x80)
        .map(|(_, t)| String::from_utf8_lossy(t).to_string())
        .or_else(|| {
            reply.header("grpc-status").map(|s| {
                format!(
                    "grpc-status:{s}\r\ngrpc-message:{}",
                    reply.header("grpc-message").unwrap_or("")
                )
            })
        })
        .expect("status in trailers or headers");
    assert!(trailers.contains("grpc-status:5"), "{trailers}");
    assert!(trailers.contains("user%2099%20not%20found"), "{trailers}");
}

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

#[test]
fn serves_static_files_beside_the_api() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("grpc-web-wasm-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<h1>demo</h1>").unwrap();
    let server = Server::start(&["--static-dir", dir.to_str().unwrap()]);
    let page = server.request("GET", "/", &[], b"");
    assert_eq!(page.status, 200);
    assert_eq!(page.body, b"<h1>demo</h1>");
    assert_eq!(server.request("GET", "/missing.js", &[], b"").status, 404);
    let api = get_user(&server, 2, &[]);
    assert!(String::from_utf8_lossy(&api.body).contains("Alan Turing"));
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
