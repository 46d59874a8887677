//! Test helpers: generate from the test contracts in `tests/protos` in memory, and read
//! the generated client methods back structurally with syn.

use prost_build::Module;
use quote::ToTokens;

/// The include root of the test contracts.
pub(crate) fn protos_dir() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/protos").to_owned()
}

/// The generated file of package `codegen.v1`, from `codegen/v1/routes.proto`.
pub(crate) fn generate_routes(generator: Box<dyn prost_build::ServiceGenerator>) -> String {
    let fds = protox::compile(["codegen/v1/routes.proto"], [protos_dir()]).expect("compiles");
    let requests = fds
        .file
        .into_iter()
        .map(|file| (Module::from_protobuf_package_name(file.package()), file))
        .collect();
    let mut modules = prost_build::Config::new()
        .service_generator(generator)
        .generate(requests)
        .expect("generates");
    modules
        .remove(&Module::from_protobuf_package_name("codegen.v1"))
        .expect("a codegen.v1 module")
}

/// A generated item's doc comment, one line per `///` line, the leading space removed.
pub(crate) fn docs(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().strip_prefix(' ').unwrap_or(&s.value()).to_owned()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Tokens as text with no whitespace and no trailing commas (where prettyplease breaks
/// lines), for comparing types and bodies.
pub(crate) fn compact(tokens: impl ToTokens) -> String {
    let text: String = tokens
        .to_token_stream()
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    text.replace(",>", ">").replace(",)", ")")
}

/// One generated client method, read back from the code.
#[derive(Debug)]
pub(crate) struct GeneratedMethod {
    pub name: String,
    pub docs: String,
    /// The parameters after `&self`, compacted.
    pub params: String,
    /// The return type, compacted.
    pub output: String,
    /// The body, compacted.
    pub body: String,
    pub is_async: bool,
}

/// The struct named `client` in `code` (its docs) and the methods of its inherent impl.
pub(crate) fn client(code: &str, client: &str) -> (String, Vec<GeneratedMethod>) {
    let file = syn::parse_file(code).expect("the generated code parses");
    let mut struct_docs = None;
    let mut methods = Vec::new();
    for item in &file.items {
        match item {
            syn::Item::Struct(s) if s.ident == client => struct_docs = Some(docs(&s.attrs)),
            syn::Item::Impl(imp) if imp.trait_.is_none() && compact(&imp.self_ty) == client => {
                for item in &imp.items {
                    if let syn::ImplItem::Fn(f) = item {
                        methods.push(GeneratedMethod {
                            name: f.sig.ident.to_string(),
                            docs: docs(&f.attrs),
                            params: f
                                .sig
                                .inputs
                                .iter()
                                .filter(|i| matches!(i, syn::FnArg::Typed(_)))
                                .map(compact)
                                .collect::<Vec<_>>()
                                .join(","),
                            output: compact(&f.sig.output),
                            body: compact(&f.block),
                            is_async: f.sig.asyncness.is_some(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    (struct_docs.expect("the client struct"), methods)
}
