//! Typed [grpc-web-wasm](https://docs.rs/grpc-web-wasm) clients from `.proto` files,
//! generated in a consumer's `build.rs` next to prost-build's messages. The files are
//! compiled with [protox](https://docs.rs/protox), so no system `protoc` is needed.
//!
//! # Use
//!
//! `Cargo.toml`:
//!
//! ```toml
//! [dependencies]
//! grpc-web-wasm = "0.1"
//! prost = "0.14"
//!
//! [build-dependencies]
//! grpc-web-wasm-build = "0.1"
//! ```
//!
//! `build.rs`:
//!
//! ```no_run
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     grpc_web_wasm_build::compile_protos(&["proto/demo/v1/users.proto"], &["proto"])?;
//!     Ok(())
//! }
//! ```
//!
//! `src/lib.rs` includes the generated file of each protobuf package:
//!
//! ```ignore
//! pub mod demo {
//!     pub mod v1 {
//!         include!(concat!(env!("OUT_DIR"), "/demo.v1.rs"));
//!     }
//! }
//! ```
//!
//! and calls the service like any async Rust API:
//!
//! ```ignore
//! use std::time::Duration;
//!
//! use demo::v1::{ListUsersRequest, UserRequest, UserServiceClient};
//! use grpc_web_wasm::{Client, Code, Request, Status};
//!
//! async fn names() -> Result<Vec<String>, Status> {
//!     let users = UserServiceClient::new(Client::new("https://api.example.com"));
//!
//!     // A bare message...
//!     let reply = users.get_user(UserRequest { user_id: 1 }).await?;
//!     let mut names = vec![reply.into_inner().name];
//!
//!     // ...or a Request, for metadata, a deadline or a cancel signal.
//!     let mut request = Request::new(UserRequest { user_id: 4242 });
//!     request.metadata_mut().insert("x-request-id", "42")?;
//!     request.set_timeout(Duration::from_secs(2));
//!     match users.get_user(request).await {
//!         Ok(reply) => names.push(reply.into_inner().name),
//!         Err(status) if status.code() == Code::NotFound => {}
//!         Err(status) => return Err(status),
//!     }
//!
//!     // Server streaming: resolves once the headers arrive, then yields messages.
//!     let mut stream = users.list_users(ListUsersRequest::default()).await?;
//!     while let Some(user) = stream.message().await? {
//!         names.push(user.name);
//!     }
//!     Ok(names)
//! }
//! ```
//!
//! # What each RPC becomes
//!
//! For `service UserService` in package `demo.v1`, the generator writes
//! `UserServiceClient`, wrapping a `grpc_web_wasm::Client`, with `new(client)` and one
//! async method per RPC, named in snake case. Every method takes its request as
//! `impl IntoRequest<Req>`: the message itself, or a `Request<Req>` with per-call options.
//!
//! | RPC | method returns |
//! |---|---|
//! | unary | `Result<Response<Resp>, Status>`: the message, headers and trailers |
//! | server streaming | `Result<Streaming<Resp>, Status>`, once the response headers arrive |
//! | client streaming | `Result<Response<Resp>, Status>`, after every request was sent |
//! | bidirectional | `Result<Streaming<Resp>, Status>`, sending while replies arrive |
//!
//! The last two take any `Stream` of requests (or a `Request` holding one) and go over a
//! WebSocket, since `fetch` cannot stream a request body; the server must speak the
//! `grpc-websockets` protocol. Proto comments become doc comments.
//!
//! # With tonic, or other options
//!
//! [`compile_protos`] is the short way. For prost-build options, or to run tonic's
//! generator in the same pass, hand a [`ServiceGenerator`] to prost-build yourself:
//!
//! ```no_run
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let fds = protox::compile(["demo/v1/users.proto"], ["proto"])?;
//!     prost_build::Config::new()
//!         .service_generator(Box::new(grpc_web_wasm_build::ServiceGenerator::new()))
//!         .compile_fds(fds)?;
//!     Ok(())
//! }
//! ```

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

mod client;
mod error;
mod generator;

use std::path::Path;

pub use error::{Error, NotFound};
pub use generator::ServiceGenerator;

/// Compiles `protos` (found under `includes`) with protox and writes, into `OUT_DIR`, one
/// file per protobuf package: prost's messages and a grpc-web-wasm client per service.
///
/// Call it from `build.rs`. It tells cargo to rerun the build script when any of the
/// files read, imports included, changes.
pub fn compile_protos(
    protos: &[impl AsRef<Path>],
    includes: &[impl AsRef<Path>],
) -> Result<(), Error> {
    compile(protos, includes, None)
}

/// [`compile_protos`], writing into `out_dir` if given (else prost-build's `OUT_DIR`).
fn compile(
    protos: &[impl AsRef<Path>],
    includes: &[impl AsRef<Path>],
    out_dir: Option<&Path>,
) -> Result<(), Error> {
    let classify = |e| Error::from_protox(e, protos, includes);
    let mut compiler = protox::Compiler::new(includes).map_err(classify)?;
    compiler
        .include_source_info(true)
        .include_imports(true)
        .open_files(protos)
        .map_err(classify)?;
    for file in compiler.files() {
        if let Some(path) = file.path() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    let mut config = prost_build::Config::new();
    if let Some(out_dir) = out_dir {
        config.out_dir(out_dir);
    }
    config
        .service_generator(Box::new(ServiceGenerator::new()))
        .compile_fds(compiler.file_descriptor_set())
        .map_err(Error::Generate)
}

#[cfg(test)]
mod testing;

#[cfg(test)]
mod tests {
    use super::*;

    fn out_dir(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("grpc-web-wasm-build-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn compile_protos_writes_one_file_per_package_with_the_clients() {
        let dir = out_dir("ok");
        compile(
            &["codegen/v1/routes.proto"],
            &[testing::protos_dir()],
            Some(&dir),
        )
        .expect("compiles");
        let code = std::fs::read_to_string(dir.join("codegen.v1.rs")).expect("codegen.v1.rs");
        assert!(code.contains("pub struct RoutePlannerClient"));
        assert!(code.contains("pub struct Point"));
        // google.protobuf comes from prost-types, so it gets no file.
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(files, ["codegen.v1.rs"]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_missing_proto_says_where_it_was_looked_for() {
        let dir = out_dir("missing");
        let err = compile(
            &["codegen/v1/nope.proto"],
            &[testing::protos_dir()],
            Some(&dir),
        )
        .expect_err("no such file");
        let Error::NotFound(missing) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(missing.name, "codegen/v1/nope.proto");
        assert_eq!(missing.imported_by, None);
        let under_include = Path::new(&testing::protos_dir()).join("codegen/v1/nope.proto");
        assert!(missing.searched.contains(&under_include), "{err}");
        let message = err.to_string();
        assert!(
            message.starts_with(
                "cannot find the .proto file `codegen/v1/nope.proto`. Looked for it at:"
            ),
            "{message}"
        );
        assert!(
            message.contains(&under_include.display().to_string()),
            "{message}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_missing_import_names_the_importer_and_where_it_was_looked_for() {
        let dir = out_dir("import");
        let err = compile(
            &["codegen/v1/broken_import.proto"],
            &[testing::protos_dir()],
            Some(&dir),
        )
        .expect_err("the import is missing");
        let Error::NotFound(missing) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(missing.name, "codegen/v1/absent.proto");
        assert_eq!(
            missing.imported_by.as_deref(),
            Some("codegen/v1/broken_import.proto")
        );
        assert_eq!(
            missing.searched,
            [Path::new(&testing::protos_dir()).join("codegen/v1/absent.proto")]
        );
        assert!(err
            .to_string()
            .contains(", imported by `codegen/v1/broken_import.proto`"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_syntax_error_stays_a_proto_error() {
        let dir = out_dir("syntax");
        let err = compile(
            &["codegen/v1/bad_syntax.proto"],
            &[testing::protos_dir()],
            Some(&dir),
        )
        .expect_err("does not parse");
        assert!(matches!(err, Error::Proto(_)), "{err:?}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
