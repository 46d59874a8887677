//! Discovering a server's schema through its reflection service
//! (`grpc.reflection.v1.ServerReflection`): which requests to send, in what order, and
//! how the answers become a [`Schema`]. Pure: the caller moves the bytes.
//!
//! `ServerReflectionInfo` is a bidirectional stream, but over gRPC-Web each exchange is one
//! request message in one call, answered by one response message.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use prost::Message;
use prost_reflect::prost_types::FileDescriptorProto;

use super::schema::Schema;
use crate::protocol::status::{Code, Status};

/// The reflection method, current version first; the second is the older `v1alpha`.
pub const PATHS: [&str; 2] = [
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
];

/// Most requests one discovery sends: a server with more files than this is refused rather
/// than walked without end.
const MAX_QUERIES: usize = 256;

/// `grpc.reflection.v1.ServerReflectionRequest`, the fields used here.
#[derive(Clone, PartialEq, Message)]
struct ReflectionRequest {
    #[prost(string, tag = "1")]
    host: String,
    #[prost(oneof = "Query", tags = "3, 4, 7")]
    query: Option<Query>,
}

/// What one request asks.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, prost::Oneof)]
pub enum Query {
    /// The file with this name (`file_by_filename`).
    #[prost(string, tag = "3")]
    File(String),
    /// The file defining this symbol (`file_containing_symbol`).
    #[prost(string, tag = "4")]
    Symbol(String),
    /// Every service's name (`list_services`).
    #[prost(string, tag = "7")]
    ListServices(String),
}

/// `grpc.reflection.v1.ServerReflectionResponse`, the fields used here.
#[derive(Clone, PartialEq, Message)]
struct ReflectionResponse {
    #[prost(oneof = "Answer", tags = "4, 6, 7")]
    answer: Option<Answer>,
}

#[derive(Clone, PartialEq, prost::Oneof)]
enum Answer {
    #[prost(message, tag = "4")]
    Files(FileDescriptorResponse),
    #[prost(message, tag = "6")]
    Services(ListServiceResponse),
    #[prost(message, tag = "7")]
    Error(ErrorResponse),
}

#[derive(Clone, PartialEq, Message)]
struct FileDescriptorResponse {
    #[prost(bytes = "vec", repeated, tag = "1")]
    file_descriptor_proto: Vec<Vec<u8>>,
}

#[derive(Clone, PartialEq, Message)]
struct ListServiceResponse {
    #[prost(message, repeated, tag = "1")]
    service: Vec<ServiceResponse>,
}

#[derive(Clone, PartialEq, Message)]
struct ServiceResponse {
    #[prost(string, tag = "1")]
    name: String,
}

#[derive(Clone, PartialEq, Message)]
struct ErrorResponse {
    #[prost(int32, tag = "1")]
    error_code: i32,
    #[prost(string, tag = "2")]
    error_message: String,
}

/// One discovery: list the services, fetch the file of each, then any import still missing.
#[derive(Debug, Default)]
pub struct Discovery {
    queue: VecDeque<Query>,
    asked: BTreeSet<Query>,
    files: BTreeMap<String, FileDescriptorProto>,
}

impl Discovery {
    /// A discovery that starts by listing the services.
    pub fn new() -> Discovery {
        let mut discovery = Discovery::default();
        discovery.push(Query::ListServices(String::new()));
        discovery
    }

    /// The next request to send, encoded, or `None` when everything is known.
    pub fn next_request(&mut self) -> Result<Option<(Query, Vec<u8>)>, Status> {
        let Some(query) = self.queue.pop_front() else {
            return Ok(None);
        };
        if self.asked.len() > MAX_QUERIES {
            return Err(Status::new(
                Code::ResourceExhausted,
                format!("server reflection needed more than {MAX_QUERIES} requests"),
            ));
        }
        let request = ReflectionRequest {
            host: String::new(),
            query: Some(query.clone()),
        };
        Ok(Some((query, request.encode_to_vec())))
    }

    /// Takes the server's answer to `query`.
    pub fn on_response(&mut self, query: &Query, bytes: &[u8]) -> Result<(), Status> {
        let response = ReflectionResponse::decode(bytes).map_err(|e| {
            Status::new(
                Code::Internal,
                format!("undecodable reflection response: {e}"),
            )
        })?;
        match response.answer {
            Some(Answer::Services(list)) => {
                for service in list.service {
                    self.push(Query::Symbol(service.name));
                }
            }
            Some(Answer::Files(found)) => {
                for bytes in found.file_descriptor_proto {
                    let file = FileDescriptorProto::decode(&bytes[..]).map_err(|e| {
                        Status::new(
                            Code::Internal,
                            format!("undecodable file descriptor from reflection: {e}"),
                        )
                    })?;
                    self.files.insert(file.name().to_string(), file);
                }
                let missing: Vec<String> = self
                    .files
                    .values()
                    .flat_map(|f| f.dependency.iter())
                    .filter(|dep| !self.files.contains_key(*dep))
                    .cloned()
                    .collect();
                for dep in missing {
                    self.push(Query::File(dep));
                }
            }
            // A listed service whose file the server cannot give (some list the reflection
            // service itself without registering its descriptors) is left out.
            Some(Answer::Error(_)) if matches!(query, Query::Symbol(_)) => {}
            Some(Answer::Error(error)) => {
                return Err(Status::new(
                    Code::from_i32(error.error_code),
                    format!(
                        "server reflection could not answer {}: {}",
                        query.describe(),
                        error.error_message
                    ),
                ))
            }
            None => {
                return Err(Status::new(
                    Code::Internal,
                    format!(
                        "server reflection sent an empty answer to {}",
                        query.describe()
                    ),
                ))
            }
        }
        Ok(())
    }

    /// The schema of everything found.
    pub fn finish(self) -> Result<Schema, Status> {
        Schema::from_files(self.files.into_values().collect())
    }

    fn push(&mut self, query: Query) {
        if self.asked.insert(query.clone()) {
            self.queue.push_back(query);
        }
    }
}

impl Query {
    /// What is asked, for error messages.
    fn describe(&self) -> String {
        match self {
            Query::File(name) => format!("file_by_filename `{name}`"),
            Query::Symbol(name) => format!("file_containing_symbol `{name}`"),
            Query::ListServices(_) => "list_services".into(),
        }
    }
}

// Natively only: the descriptors come from protox, which is not built for wasm32.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
