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
