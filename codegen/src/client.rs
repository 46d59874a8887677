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
mod tests {
    use proptest::prelude::*;
    use prost_build::{Comments, Method, Service};

    use quote::ToTokens;

    use super::*;
    use crate::testing::{self, GeneratedMethod};
    use crate::ServiceGenerator;

    const K: &str = "::grpc_web_wasm";

    fn routes() -> (String, Vec<GeneratedMethod>) {
        let code = testing::generate_routes(Box::new(ServiceGenerator::new()));
        testing::client(&code, "RoutePlannerClient")
    }

    fn method<'a>(methods: &'a [GeneratedMethod], name: &str) -> &'a GeneratedMethod {
        methods
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("no method {name} in {methods:#?}"))
    }

    #[test]
    fn one_async_snake_case_method_per_rpc_in_proto_order() {
        let (_, methods) = routes();
        let names: Vec<_> = methods.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "new",
                "client",
                "with_retry_policy",
                "with_hedging",
                "get_point",
                "list_points",
                "record_trip",
                "route_chat",
                "r#match"
            ]
        );
        assert!(methods[4..].iter().all(|m| m.is_async));
    }

    #[test]
    fn idempotent_methods_are_listed_for_hedging() {
        let code = testing::generate_routes(Box::new(ServiceGenerator::new()));
        let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(
            compact.contains(r#"pubconstSERVICE_NAME:&'staticstr="codegen.v1.RoutePlanner";"#),
            "{code}"
        );
        assert!(
            compact.contains(
                r#"pubconstIDEMPOTENT_METHODS:&'static[&'staticstr]=&["/codegen.v1.RoutePlanner/GetPoint","/codegen.v1.RoutePlanner/ListPoints",];"#
            ) || compact.contains(
                r#"pubconstIDEMPOTENT_METHODS:&'static[&'staticstr]=&["/codegen.v1.RoutePlanner/GetPoint","/codegen.v1.RoutePlanner/ListPoints"];"#
            ),
            "{code}"
        );
        assert!(
            compact.contains(r#"IDEMPOTENT_METHODS:&'static[&'staticstr]=&[];"#),
            "{code}"
        );
    }

    /// An app calls the RPCs it needs: in a private module of a bin crate (a trunk app),
    /// the others must not warn.
    #[test]
    fn the_client_and_its_methods_allow_dead_code() {
        let code = testing::generate_routes(Box::new(ServiceGenerator::new()));
        let file = syn::parse_file(&code).expect("valid Rust");
        let allows = |attrs: &[syn::Attribute]| {
            attrs
                .iter()
                .any(|a| a.to_token_stream().to_string() == "# [allow (dead_code)]")
        };
        let mut seen = 0;
        for item in &file.items {
            match item {
                syn::Item::Struct(s) if s.ident == "RoutePlannerClient" => {
                    assert!(allows(&s.attrs), "the struct");
                    seen += 1;
                }
                syn::Item::Impl(i)
                    if i.self_ty.to_token_stream().to_string() == "RoutePlannerClient" =>
                {
                    assert!(allows(&i.attrs), "the impl");
                    seen += 1;
                }
                _ => {}
            }
        }
        assert_eq!(seen, 2);
    }

    #[test]
    fn new_wraps_a_client() {
        let (_, methods) = routes();
        let new = method(&methods, "new");
        assert_eq!(new.params, format!("client:{K}::Client"));
        assert_eq!(new.output, "->Self");
        assert_eq!(method(&methods, "client").output, format!("->&{K}::Client"));
    }

    #[test]
    fn unary_returns_the_response_and_calls_its_path() {
        let (_, methods) = routes();
        let m = method(&methods, "get_point");
        assert_eq!(m.params, format!("request:impl{K}::IntoRequest<Point>"));
        assert_eq!(
            m.output,
            format!("->::core::result::Result<{K}::Response<Point>,{K}::Status>")
        );
        assert!(
            m.body
                .contains(r#".unary("/codegen.v1.RoutePlanner/GetPoint","#),
            "{}",
            m.body
        );
    }

    #[test]
    fn server_streaming_returns_a_stream_and_calls_its_path() {
        let (_, methods) = routes();
        let m = method(&methods, "list_points");
        assert_eq!(m.params, format!("request:impl{K}::IntoRequest<Route>"));
        assert_eq!(
            m.output,
            format!("->::core::result::Result<{K}::Streaming<Point>,{K}::Status>")
        );
        assert!(
            m.body
                .contains(r#".server_streaming("/codegen.v1.RoutePlanner/ListPoints","#),
            "{}",
            m.body
        );
    }

    #[test]
    fn well_known_empty_is_the_unit_type() {
        let (_, methods) = routes();
        let m = method(&methods, "r#match");
        assert_eq!(m.params, format!("request:impl{K}::IntoRequest<()>"));
        assert!(m.body.contains(r#"("/codegen.v1.RoutePlanner/Match","#));
    }

    #[test]
    fn client_streaming_and_bidi_call_their_paths_over_a_stream() {
        let (_, methods) = routes();
        for (name, reply, call, item) in [
            (
                "record_trip",
                "Response<Trip>",
                r#".client_streaming("/codegen.v1.RoutePlanner/RecordTrip",request)"#,
                "Point",
            ),
            (
                "route_chat",
                "Streaming<Note>",
                r#".streaming("/codegen.v1.RoutePlanner/RouteChat",request)"#,
                "Note",
            ),
        ] {
            let m = method(&methods, name);
            assert_eq!(m.params, "request:R");
            let code: String = testing::generate_routes(Box::new(ServiceGenerator::new()))
                .split_whitespace()
                .collect();
            let bound = format!("R:{K}::IntoStreamingRequest<Message={item}>");
            assert!(
                m.output.starts_with(&format!(
                    "->::core::result::Result<{K}::{reply},{K}::Status>"
                )),
                "{}",
                m.output
            );
            assert!(code.contains(&bound), "{bound}");
            assert!(m.body.contains(call), "{}", m.body);
            assert!(m.docs.contains("over a WebSocket"), "{}", m.docs);
        }
    }

    #[test]
    fn proto_comments_become_doc_comments() {
        let (struct_docs, methods) = routes();
        assert!(
            struct_docs.starts_with(
                "Plans and records routes.\n\
                 See <https://example.com/routes> for the \\[map\\] format.\n\n\
                 A gRPC-Web client for `codegen.v1.RoutePlanner`"
            ),
            "{struct_docs}"
        );
        assert_eq!(
            method(&methods, "get_point").docs,
            "Looks up one point.\n\nUnary: `/codegen.v1.RoutePlanner/GetPoint`."
        );
        assert!(method(&methods, "list_points")
            .docs
            .starts_with("Streams the points of a route in order.\n\nServer streaming:"));
        // A trailing comment stands in for a missing leading one.
        assert!(method(&methods, "r#match")
            .docs
            .starts_with("A method named like a Rust keyword, with no leading comment.\n\n"));
    }

    #[test]
    fn a_service_without_comments_still_gets_docs() {
        let code = testing::generate_routes(Box::new(ServiceGenerator::new()));
        let (docs, methods) = testing::client(&code, "HealthClient");
        assert!(
            docs.starts_with("A gRPC-Web client for `codegen.v1.Health`"),
            "{docs}"
        );
        assert_eq!(
            method(&methods, "check").docs,
            "Unary: `/codegen.v1.Health/Check`."
        );
    }

    #[test]
    fn the_client_crate_path_can_be_changed() {
        let code = testing::generate_routes(Box::new(
            ServiceGenerator::new().client_crate("::my_sdk::grpc"),
        ));
        assert!(!code.contains("grpc_web_wasm"));
        let (docs, methods) = testing::client(&code, "RoutePlannerClient");
        assert!(
            docs.contains("[`Request`](my_sdk::grpc::Request)"),
            "{docs}"
        );
        assert_eq!(
            method(&methods, "get_point").params,
            "request:impl::my_sdk::grpc::IntoRequest<Point>"
        );
    }

    fn kinds() -> impl Strategy<Value = (bool, bool)> {
        (any::<bool>(), any::<bool>())
    }

    proptest! {
        /// Whatever the names, package and comments, the output parses, names the right
        /// path, and keeps each comment line.
        #[test]
        fn any_service_renders_to_parseable_rust(
            package in "([a-z][a-z0-9_]{0,8}(\\.[a-z][a-z0-9_]{0,8}){0,2})?",
            service in "[A-Z][A-Za-z0-9]{0,12}",
            methods in prop::collection::vec(("[A-Z][A-Za-z0-9]{0,12}", kinds()), 0..5),
            comment in "[^\\x00-\\x1f\\x7f\\[\\]:]{0,40}",
        ) {
            let methods: Vec<Method> = methods
                .into_iter()
                .enumerate()
                .map(|(i, (proto_name, (client_streaming, server_streaming)))| Method {
                    // Distinct and never a keyword, as prost-build guarantees.
                    name: format!("m{i}_{}", proto_name.to_lowercase()),
                    proto_name,
                    comments: Comments { leading: vec![comment.clone()], ..Comments::default() },
                    input_type: "In".into(),
                    output_type: "super::Out".into(),
                    input_proto_type: ".p.In".into(),
                    output_proto_type: ".p.Out".into(),
                    options: Default::default(),
                    client_streaming,
                    server_streaming,
                })
                .collect();
            let service = Service {
                name: service.clone(),
                proto_name: service.clone(),
                package: package.clone(),
                comments: Comments::default(),
                methods,
                options: Default::default(),
            };
            let mut code = String::new();
            render(&service, K, &mut code);

            let (_, generated) = testing::client(&code, &format!("{service_name}Client", service_name = service.name));
            prop_assert_eq!(generated.len(), service.methods.len() + 4);
            for (method, generated) in service.methods.iter().zip(&generated[4..]) {
                let path = method_path(&service, method);
                let expected = if package.is_empty() {
                    format!("/{}/{}", service.proto_name, method.proto_name)
                } else {
                    format!("/{}.{}/{}", package, service.proto_name, method.proto_name)
                };
                prop_assert_eq!(&path, &expected);
                prop_assert_eq!(&generated.name, &method.name);
                let target = format!("({path:?},");
                prop_assert!(generated.body.contains(&target), "{}", generated.body);
                let first_line = generated.docs.lines().next().unwrap_or("");
                prop_assert_eq!(first_line.trim(), comment.trim());
            }
        }
    }
}
