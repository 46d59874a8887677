//! [`ServiceGenerator`]: the prost-build hook that writes one client type per service.

use std::fmt;

use prost_build::Service;

use crate::client;

/// Generates a grpc-web-wasm client type for every service prost-build compiles.
///
/// Hand it to [`prost_build::Config::service_generator`]. For a service `UserService` it
/// writes `UserServiceClient`, next to the service's messages, with one async method per
/// RPC (see the [crate docs](crate) for what each kind of RPC becomes).
///
/// prost-build takes one service generator; [`alongside`](Self::alongside) runs others
/// (tonic's, say) in the same pass, so both see the same message types.
pub struct ServiceGenerator {
    krate: String,
    alongside: Vec<Box<dyn prost_build::ServiceGenerator>>,
}

impl ServiceGenerator {
    /// A generator whose code names the client crate `::grpc_web_wasm`.
    pub fn new() -> ServiceGenerator {
        ServiceGenerator {
            krate: "::grpc_web_wasm".to_owned(),
            alongside: Vec::new(),
        }
    }

    /// The path the generated code uses for the grpc-web-wasm crate, for a consumer that
    /// renames it in Cargo.toml or reaches it through a re-export (e.g. `::my_sdk::grpc`).
    pub fn client_crate(mut self, path: impl Into<String>) -> ServiceGenerator {
        self.krate = path.into();
        self
    }

    /// Also runs `other` on every service, after this one: e.g. tonic's generator
    /// (`tonic_prost_build::configure().service_generator()`), for a crate that serves the
    /// same contracts or keeps tonic clients as well.
    pub fn alongside(mut self, other: Box<dyn prost_build::ServiceGenerator>) -> ServiceGenerator {
        self.alongside.push(other);
        self
    }
}

impl Default for ServiceGenerator {
    fn default() -> ServiceGenerator {
        ServiceGenerator::new()
    }
}

impl fmt::Debug for ServiceGenerator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceGenerator")
            .field("client_crate", &self.krate)
            .field("alongside", &self.alongside.len())
            .finish()
    }
}

impl prost_build::ServiceGenerator for ServiceGenerator {
    fn generate(&mut self, service: Service, buf: &mut String) {
        client::render(&service, &self.krate, buf);
        for other in &mut self.alongside {
            other.generate(service.clone(), buf);
        }
    }

    fn finalize(&mut self, buf: &mut String) {
        for other in &mut self.alongside {
            other.finalize(buf);
        }
    }

    fn finalize_package(&mut self, package: &str, buf: &mut String) {
        for other in &mut self.alongside {
            other.finalize_package(package, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn tonic_runs_alongside_in_the_same_pass() {
        let tonic = tonic_prost_build::configure()
            .build_server(true)
            .build_client(false)
            .service_generator();
        let code = testing::generate_routes(Box::new(ServiceGenerator::new().alongside(tonic)));
        let file = syn::parse_file(&code).expect("parses");
        let names: Vec<String> = file
            .items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Struct(s) => Some(s.ident.to_string()),
                syn::Item::Mod(m) => Some(format!("mod {}", m.ident)),
                _ => None,
            })
            .collect();
        for expected in [
            "RoutePlannerClient",
            "HealthClient",
            "mod route_planner_server",
            "mod health_server",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} in {names:?}"
            );
        }
        // One set of messages serves both.
        assert_eq!(names.iter().filter(|n| *n == "Point").count(), 1);
    }

    #[test]
    fn debug_shows_the_configuration() {
        let generator = ServiceGenerator::new().client_crate("::sdk::grpc");
        assert_eq!(
            format!("{generator:?}"),
            r#"ServiceGenerator { client_crate: "::sdk::grpc", alongside: 0 }"#
        );
    }
}
