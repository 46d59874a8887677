//! Rich error details (`google.rpc.Status` in `grpc-status-details-bin`), encoded with the
//! project's own `google.rpc` types so clients decode exactly what the .proto says.

use prost::Message;
use proto::google::rpc::{bad_request::FieldViolation, BadRequest, Status as RpcStatus};
use tonic::{Code, Status};

/// Type URL prefix of packed `Any` messages.
const TYPE_URL_PREFIX: &str = "type.googleapis.com/";

/// One invalid request field: its name, what is wrong, and a machine-readable reason.
pub fn violation(field: &str, description: impl Into<String>, reason: &str) -> FieldViolation {
    FieldViolation {
        field: field.into(),
        description: description.into(),
        reason: reason.into(),
        localized_message: None,
    }
}

/// `INVALID_ARGUMENT` carrying a `google.rpc.BadRequest` with `violations`.
pub fn bad_request(message: &str, violations: Vec<FieldViolation>) -> Status {
    let detail = BadRequest {
        field_violations: violations,
    };
    let rpc_status = RpcStatus {
        code: Code::InvalidArgument as i32,
        message: message.into(),
        details: vec![prost_types::Any {
            type_url: format!("{TYPE_URL_PREFIX}google.rpc.BadRequest"),
            value: detail.encode_to_vec(),
        }],
    };
    Status::with_details(
        Code::InvalidArgument,
        message,
        rpc_status.encode_to_vec().into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_decode_back_to_the_violations() {
        let status = bad_request("bad", vec![violation("email", "needs an @", "FORMAT")]);
        assert_eq!(status.code(), Code::InvalidArgument);
        let rpc = RpcStatus::decode(status.details()).unwrap();
        assert_eq!((rpc.code, rpc.message.as_str()), (3, "bad"));
        assert_eq!(
            rpc.details[0].type_url,
            "type.googleapis.com/google.rpc.BadRequest"
        );
        let br = BadRequest::decode(rpc.details[0].value.as_slice()).unwrap();
        assert_eq!(br.field_violations[0].field, "email");
        assert_eq!(br.field_violations[0].reason, "FORMAT");
    }
}
