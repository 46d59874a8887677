//! Renders one service as a client type: the Rust text prost-build appends to the
//! package's file. prost-build formats the whole file afterwards (prettyplease), but the
//! text is indented as written here too, for builds that turn formatting off.

use std::fmt::Write as _;

use prost_build::{Method, Service};

/// How an RPC streams, which decides what its client method returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Unary,
    ServerStreaming,
    ClientStreaming,
    Bidi,
}

impl Kind {
    pub(crate) fn of(method: &Method) -> Kind {
        match (method.client_streaming, method.server_streaming) {
            (false, false) => Kind::Unary,
            (false, true) => Kind::ServerStreaming,
            (true, false) => Kind::ClientStreaming,
            (true, true) => Kind::Bidi,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Unary => "Unary",
            Kind::ServerStreaming => "Server streaming",
            Kind::ClientStreaming => "Client streaming",
            Kind::Bidi => "Bidirectional streaming",
        }
    }
}

/// The path a call goes to: `/package.Service/Method`, or `/Service/Method` outside a package.
pub(crate) fn method_path(service: &Service, method: &Method) -> String {
    if service.package.is_empty() {
        format!("/{}/{}", service.proto_name, method.proto_name)
    } else {
        format!(
            "/{}.{}/{}",
            service.package, service.proto_name, method.proto_name
        )
    }
}

/// Appends the client type for `service` to `buf`. `krate` is the path of the
/// grpc-web-wasm crate as the generated code names it, e.g. `::grpc_web_wasm`.
pub(crate) fn render(service: &Service, krate: &str, buf: &mut String) {
    let full_name = if service.package.is_empty() {
        service.proto_name.clone()
    } else {
        format!("{}.{}", service.package, service.proto_name)
    };
    let link = krate.trim_start_matches("::");
    let client = format!("{}Client", service.name);

    let has_comments =
        !service.comments.leading.is_empty() || !service.comments.trailing.is_empty();
    service.comments.append_with_indent(0, buf);
    if has_comments {
        buf.push_str("///\n");
    }
    let _ = write!(
        buf,
        "\
/// A gRPC-Web client for `{full_name}`: one async method per RPC. Each takes a message, or a
/// [`Request`]({link}::Request) to send metadata, a timeout or a cancel signal with it.
#[derive(Debug, Clone)]
#[allow(dead_code)]
pub struct {client} {{
    client: {krate}::Client,
}}

#[allow(dead_code)]
impl {client} {{
    /// A client for `{full_name}` that calls through `client`.
    pub fn new(client: {krate}::Client) -> Self {{
        Self {{ client }}
    }}

    /// The client this one calls through.
    pub fn client(&self) -> &{krate}::Client {{
        &self.client
    }}
"
    );
    render_retries(service, &full_name, krate, buf);
    for method in &service.methods {
        buf.push('\n');
        render_method(service, method, krate, buf);
    }
    buf.push_str("}\n");
}

/// Whether the `.proto` marks `method` safe to send more than once (`idempotency_level`
/// `NO_SIDE_EFFECTS` or `IDEMPOTENT`), so that it may be hedged.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    use prost_types::method_options::IdempotencyLevel;
    matches!(
        method.options.idempotency_level(),
        IdempotencyLevel::NoSideEffects | IdempotencyLevel::Idempotent
    )
}

/// The service's name and idempotent methods as constants, and the builders that set
/// retry and hedging policies (gRFC A6) on the wrapped client.
fn render_retries(service: &Service, full_name: &str, krate: &str, buf: &mut String) {
    let idempotent: Vec<String> = service
        .methods
        .iter()
        .filter(|m| is_idempotent(m))
        .map(|m| format!("{:?}", method_path(service, m)))
        .collect();
    let _ = write!(
        buf,
        "
    /// The service's full name: the scope of a policy for all its methods.
    pub const SERVICE_NAME: &'static str = {full_name:?};

    /// The paths of the methods the `.proto` marks idempotent (`idempotency_level`
    /// `NO_SIDE_EFFECTS` or `IDEMPOTENT`): the ones that may be hedged.
    pub const IDEMPOTENT_METHODS: &'static [&'static str] = &[{idempotent}];

    /// This client with `policy` for every method of the service, in place of any the
    /// service had; methods with a policy of their own keep it. Unary and server-streaming
    /// calls are retried; client-streaming and bidi calls make one attempt.
    pub fn with_retry_policy(self, policy: {krate}::protocol::retry::RetryPolicy) -> Self {{
        match self.client.clone().method_policy(Self::SERVICE_NAME, policy) {{
            ::core::result::Result::Ok(client) => Self {{ client }},
            ::core::result::Result::Err(_) => self,
        }}
    }}

    /// This client hedging the methods of [`IDEMPOTENT_METHODS`](Self::IDEMPOTENT_METHODS)
    /// under `policy`; the other methods are left as they were.
    pub fn with_hedging(self, policy: {krate}::protocol::retry::HedgingPolicy) -> Self {{
        let mut client = self.client;
        for path in Self::IDEMPOTENT_METHODS {{
            if let ::core::result::Result::Ok(next) = client.clone().method_policy(path, policy.clone()) {{
                client = next;
            }}
        }}
        Self {{ client }}
    }}
",
        idempotent = idempotent.join(", ")
    );
}

fn render_method(service: &Service, method: &Method, krate: &str, buf: &mut String) {
    let kind = Kind::of(method);
    let path = method_path(service, method);
    let name = &method.name;
    let (input, output) = (&method.input_type, &method.output_type);

    let has_comments = !method.comments.leading.is_empty() || !method.comments.trailing.is_empty();
    method.comments.append_with_indent(1, buf);
    if has_comments {
        buf.push_str("    ///\n");
    }
    let _ = write!(buf, "    /// {}: `{path}`.", kind.describe());
    match kind {
        Kind::Unary => buf.push('\n'),
        Kind::ServerStreaming => buf.push_str(
            " Resolves once the response headers\n    \
             /// arrive; the messages follow on the stream.\n",
        ),
        Kind::ClientStreaming => buf.push_str(
            " Sends every message of the\n    \
             /// stream, then resolves with the reply; over a WebSocket (`grpc-websockets`).\n",
        ),
        Kind::Bidi => buf.push_str(
            " Messages are sent as the\n    \
             /// stream yields them while replies arrive; over a WebSocket (`grpc-websockets`).\n",
        ),
    }

    let reply = match kind {
        Kind::Unary | Kind::ClientStreaming => format!("{krate}::Response<{output}>"),
        Kind::ServerStreaming | Kind::Bidi => format!("{krate}::Streaming<{output}>"),
    };
    let call = match kind {
        Kind::Unary => "unary",
        Kind::ServerStreaming => "server_streaming",
        Kind::ClientStreaming => "client_streaming",
        Kind::Bidi => "streaming",
    };
    match kind {
        Kind::Unary | Kind::ServerStreaming => {
            let _ = write!(
                buf,
                "    pub async fn {name}(
        &self,
        request: impl {krate}::IntoRequest<{input}>,
    ) -> ::core::result::Result<{reply}, {krate}::Status> {{
        self.client
            .{call}({path:?}, {krate}::IntoRequest::into_request(request))
            .await
    }}
"
            );
        }
        Kind::ClientStreaming | Kind::Bidi => {
            let _ = write!(
                buf,
                "    pub async fn {name}<R>(
        &self,
        request: R,
    ) -> ::core::result::Result<{reply}, {krate}::Status>
    where
        R: {krate}::IntoStreamingRequest<Message = {input}>,
    {{
        self.client.{call}({path:?}, request).await
    }}
"
            );
        }
    }
}

#[cfg(test)]
mod tests;
