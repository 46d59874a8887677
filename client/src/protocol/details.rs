//! Rich error details: `grpc-status-details-bin` carries a serialized `google.rpc.Status`
//! whose `details` are `google.protobuf.Any` messages (`BadRequest`, `ErrorInfo`, ...).

use prost_types::Any;

/// `google.rpc.Status`, as servers put it in `grpc-status-details-bin`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RpcStatus {
    /// The status code; matches `grpc-status`.
    #[prost(int32, tag = "1")]
    pub code: i32,
    /// The developer-facing message.
    #[prost(string, tag = "2")]
    pub message: String,
    /// Typed details, each an `Any` naming its message type.
    #[prost(message, repeated, tag = "3")]
    pub details: Vec<Any>,
}

/// The first detail of type `T` among `details`, if one decodes.
pub fn find<T: prost::Name + Default>(details: &[Any]) -> Option<T> {
    let name = T::full_name();
    details
        .iter()
        .filter(|any| any.type_url.rsplit('/').next() == Some(name.as_str()))
        .find_map(|any| T::decode(any.value.as_slice()).ok())
}
