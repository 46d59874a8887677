//! Taking a request elsewhere: the same call as a `grpcurl` command line, and a link that
//! opens the Explorer on it (server, method and body in the URL fragment, nothing sent to a
//! server to share it).

/// What a shareable link holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shared {
    /// The server's base URL; `None` for the page's own server.
    pub server: Option<String>,
    /// `package.Service/Method`.
    pub method: Option<String>,
    /// The request as JSON text.
    pub body: Option<String>,
}

/// The fragment for `shared`: `#/explorer?method=…&body=…[&server=…]`.
pub fn fragment(shared: &Shared) -> String {
    let mut query = Vec::new();
    for (key, value) in [
        ("server", &shared.server),
        ("method", &shared.method),
        ("body", &shared.body),
    ] {
        if let Some(value) = value {
            query.push(format!("{key}={}", encode(value)));
        }
    }
    if query.is_empty() {
        "#/explorer".into()
    } else {
        format!("#/explorer?{}", query.join("&"))
    }
}

/// What the fragment `hash` (`#/explorer?…`) shares; empty for none.
pub fn parse(hash: &str) -> Shared {
    let mut shared = Shared::default();
    let Some((_, query)) = hash.split_once('?') else {
        return shared;
    };
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = Some(decode(value));
        match key {
            "server" => shared.server = value,
            "method" => shared.method = value,
            "body" => shared.body = value,
            _ => {}
        }
    }
    shared
}

fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

fn decode(text: &str) -> String {
    js_sys::decode_uri_component(text)
        .map(String::from)
        .unwrap_or_else(|_| text.to_string())
}

/// What a `grpcurl` command needs to make the same call.
pub struct Grpcurl<'a> {
    pub server: &'a str,
    pub method: &'a str,
    pub body: &'a str,
    pub metadata: &'a [(String, String)],
    pub deadline_ms: Option<u64>,
    /// The descriptor set file the schema came from; `None` when from reflection.
    pub protoset: Option<&'a str>,
}

impl Grpcurl<'_> {
    /// The command line. grpcurl speaks native gRPC, which the demo server serves on the
    /// same port as gRPC-Web.
    pub fn command(&self) -> String {
        let (plaintext, authority) = match self.server.split_once("://") {
            Some(("https", rest)) => (false, with_port(rest, 443)),
            Some((_, rest)) => (true, with_port(rest, 80)),
            None => (true, with_port(self.server, 80)),
        };
        let mut parts = vec!["grpcurl".to_string()];
        if plaintext {
            parts.push("-plaintext".into());
        }
        if let Some(file) = self.protoset {
            parts.push(format!("-protoset {}", quote(file)));
        }
        for (key, value) in self.metadata {
            parts.push(format!("-H {}", quote(&format!("{key}: {value}"))));
        }
        if let Some(ms) = self.deadline_ms {
            parts.push(format!("-max-time {}", ms as f64 / 1000.0));
        }
        parts.push(format!("-d {}", quote(&compact(self.body))));
        parts.push(authority);
        parts.push(self.method.to_string());
        parts.join(" ")
    }
}

/// `host[:port]` of a URL's remainder, with the scheme's port when it names none.
fn with_port(rest: &str, default: u16) -> String {
    let host = rest.split('/').next().unwrap_or(rest);
    if host
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
        && !host.ends_with(']')
    {
        host.to_string()
    } else {
        format!("{host}:{default}")
    }
}

/// The body on one line (as typed, if it is not JSON: grpcurl will say what is wrong). An
/// array is a request stream, which grpcurl reads as messages one after another.
fn compact(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Array(items)) => items
            .iter()
            .map(|item| item.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        Ok(value) => value.to_string(),
        Err(_) => body.trim().to_string(),
    }
}

/// `text` as one POSIX shell word.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
