//! Message schemas from descriptors, for calls without generated code: find a method by
//! name, turn proto3 JSON into message bytes and message bytes back into proto3 JSON.
//! Pure (no browser APIs), so it is tested natively.

use prost_reflect::prost_types::FileDescriptorProto;
use prost_reflect::{
    DescriptorPool, DeserializeOptions, DynamicMessage, MessageDescriptor, MethodDescriptor,
    SerializeOptions,
};
use serde_json::{json, Value};

use crate::protocol::status::{Code, Status};

/// The services and message types of a set of `.proto` files.
#[derive(Debug, Clone)]
pub struct Schema {
    pool: DescriptorPool,
}

/// How decoded messages are rendered; the defaults are the canonical proto3 JSON mapping.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonOptions {
    /// Include fields that hold their default value (proto3 JSON omits them).
    pub emit_defaults: bool,
    /// Enum values as numbers rather than names.
    pub enums_as_numbers: bool,
    /// Field names as written in the `.proto` (`user_id`) rather than lowerCamelCase.
    pub proto_field_names: bool,
}

impl JsonOptions {
    fn serialize_options(self) -> SerializeOptions {
        SerializeOptions::new()
            .skip_default_fields(!self.emit_defaults)
            .use_enum_numbers(self.enums_as_numbers)
            .use_proto_field_name(self.proto_field_names)
    }
}

/// A method found in a [`Schema`].
#[derive(Debug, Clone)]
pub struct Method {
    desc: MethodDescriptor,
}

impl Schema {
    /// From an encoded `google.protobuf.FileDescriptorSet` (what `protoc
    /// --descriptor_set_out --include_imports` or `buf build -o` writes).
    pub fn from_file_descriptor_set(bytes: &[u8]) -> Result<Schema, Status> {
        DescriptorPool::decode(bytes)
            .map(|pool| Schema { pool })
            .map_err(|e| invalid(format!("not a usable FileDescriptorSet: {e}")))
    }

    /// From file descriptors in any order, each file's imports among them.
    pub fn from_files(files: Vec<FileDescriptorProto>) -> Result<Schema, Status> {
        let mut pool = DescriptorPool::new();
        pool.add_file_descriptor_protos(files)
            .map_err(|e| invalid(format!("inconsistent file descriptors: {e}")))?;
        Ok(Schema { pool })
    }

    /// Every service with its methods, as
    /// `[{ name, methods: [{ name, path, inputType, outputType, clientStreaming, serverStreaming }] }]`,
    /// sorted by name.
    pub fn services(&self) -> Value {
        let mut services: Vec<_> = self.pool.services().collect();
        services.sort_by(|a, b| a.full_name().cmp(b.full_name()));
        Value::Array(
            services
                .iter()
                .map(|service| {
                    let methods: Vec<Value> = service
                        .methods()
                        .map(|m| Method { desc: m }.info())
                        .collect();
                    json!({ "name": service.full_name(), "methods": methods })
                })
                .collect(),
        )
    }

    /// The method `name`: `package.Service/Method`, with or without a leading `/`, or
    /// `package.Service.Method`.
    pub fn method(&self, name: &str) -> Result<Method, Status> {
        let trimmed = name.trim_start_matches('/');
        let (service, method) = trimmed
            .rsplit_once('/')
            .or_else(|| trimmed.rsplit_once('.'))
            .ok_or_else(|| {
                invalid(format!(
                    "`{name}` is not a method name: want `package.Service/Method`"
                ))
            })?;
        let desc = self
            .pool
            .get_service_by_name(service)
            .and_then(|s| s.methods().find(|m| m.name() == method))
            .ok_or_else(|| {
                invalid(format!(
                    "no method `{service}/{method}` in the descriptors (services: {})",
                    self.service_names().join(", ")
                ))
            })?;
        Ok(Method { desc })
    }

    /// The message type `name` (`package.Message`).
    pub fn message(&self, name: &str) -> Result<MessageDescriptor, Status> {
        self.pool
            .get_message_by_name(name.trim_start_matches('.'))
            .ok_or_else(|| invalid(format!("no message type `{name}` in the descriptors")))
    }

    fn service_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .pool
            .services()
            .map(|s| s.full_name().to_string())
            .collect();
        names.sort();
        names
    }
}

impl Method {
    /// The request path, `/package.Service/Method`.
    pub fn path(&self) -> String {
        format!(
            "/{}/{}",
            self.desc.parent_service().full_name(),
            self.desc.name()
        )
    }

    /// `package.Service/Method`, as callers name it.
    pub fn name(&self) -> String {
        self.path()[1..].to_string()
    }

    /// Whether the server answers with a stream of messages.
    pub fn is_server_streaming(&self) -> bool {
        self.desc.is_server_streaming()
    }

    /// Whether the client would send a stream, which fetch cannot do.
    pub fn is_client_streaming(&self) -> bool {
        self.desc.is_client_streaming()
    }

    /// The request type.
    pub fn input(&self) -> MessageDescriptor {
        self.desc.input()
    }

    /// The reply type.
    pub fn output(&self) -> MessageDescriptor {
        self.desc.output()
    }

    fn info(&self) -> Value {
        json!({
            "name": self.desc.name(),
            "path": self.path(),
            "inputType": self.desc.input().full_name(),
            "outputType": self.desc.output().full_name(),
            "clientStreaming": self.desc.is_client_streaming(),
            "serverStreaming": self.desc.is_server_streaming(),
        })
    }
}

/// `json` (proto3 JSON for a message of type `desc`) as protobuf bytes. Unknown fields and
/// wrongly typed values are refused, so a typo never silently sends a default.
pub fn encode(desc: &MessageDescriptor, json: &str) -> Result<Vec<u8>, Status> {
    let mut de = serde_json::Deserializer::from_str(json);
    let message =
        DynamicMessage::deserialize_with_options(desc.clone(), &mut de, &DeserializeOptions::new())
            .and_then(|m| de.end().map(|()| m))
            .map_err(|e| invalid(format!("not a valid {}: {e}", desc.full_name())))?;
    Ok(prost::Message::encode_to_vec(&message))
}

/// Protobuf `bytes` of a message of type `desc`, as proto3 JSON. Bytes that do not decode
/// are `INTERNAL`, as for a typed call.
pub fn decode(
    desc: &MessageDescriptor,
    bytes: &[u8],
    options: JsonOptions,
) -> Result<String, Status> {
    let message = DynamicMessage::decode(desc.clone(), bytes).map_err(|e| {
        Status::new(
            Code::Internal,
            format!("failed to decode the message as {}: {e}", desc.full_name()),
        )
    })?;
    let mut out = serde_json::Serializer::new(Vec::new());
    message
        .serialize_with_options(&mut out, &options.serialize_options())
        .map_err(|e| {
            Status::new(
                Code::Internal,
                format!("cannot render {} as JSON: {e}", desc.full_name()),
            )
        })?;
    String::from_utf8(out.into_inner())
        .map_err(|e| Status::new(Code::Internal, format!("JSON output is not UTF-8: {e}")))
}

fn invalid(message: String) -> Status {
    Status::new(Code::InvalidArgument, message)
}

// Natively only: the descriptors come from protox, which is not built for wasm32.
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod tests;
