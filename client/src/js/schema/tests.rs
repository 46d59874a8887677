use super::*;
use proptest::prelude::*;
use prost::Message as _;
use proto::demo::v1::{ListUsersRequest, UserRequest, UserResponse};

/// The demo's descriptors, compiled from the .proto files the server uses.
pub(crate) fn demo_files() -> Vec<FileDescriptorProto> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../proto");
    protox::compile(["demo/v1/users.proto"], [root])
        .expect("the demo protos compile")
        .file
}

fn demo() -> Schema {
    Schema::from_files(demo_files()).unwrap()
}

#[test]
fn finds_methods_by_any_spelling() {
    let schema = demo();
    for name in [
        "demo.v1.UserService/GetUser",
        "/demo.v1.UserService/GetUser",
        "demo.v1.UserService.GetUser",
    ] {
        let method = schema.method(name).unwrap();
        assert_eq!(method.path(), "/demo.v1.UserService/GetUser");
        assert!(!method.is_server_streaming());
    }
    assert!(schema
        .method("demo.v1.UserService/ListUsers")
        .unwrap()
        .is_server_streaming());
}

#[test]
fn unknown_methods_are_invalid_argument_and_list_the_services() {
    let schema = demo();
    for name in [
        "demo.v1.UserService/Nope",
        "demo.v1.Nope/GetUser",
        "GetUser",
        "",
    ] {
        let status = schema.method(name).unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "{name}");
    }
    let status = schema.method("demo.v1.UserService/Nope").unwrap_err();
    assert!(
        status.message().contains("demo.v1.UserService"),
        "{status:?}"
    );
}

#[test]
fn lists_services_and_methods() {
    let services = demo().services();
    assert_eq!(services[0]["name"], "demo.v1.UserService");
    let get = services[0]["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "GetUser")
        .unwrap();
    assert_eq!(get["path"], "/demo.v1.UserService/GetUser");
    assert_eq!(get["inputType"], "demo.v1.UserRequest");
    assert_eq!(get["outputType"], "demo.v1.UserResponse");
    assert_eq!(get["serverStreaming"], false);
}

#[test]
fn encodes_camel_case_and_proto_names_alike() {
    let schema = demo();
    let desc = schema.message("demo.v1.UserRequest").unwrap();
    for json in [
        r#"{"userId": 7}"#,
        r#"{"user_id": 7}"#,
        r#"{"userId": "7"}"#,
    ] {
        let bytes = encode(&desc, json).unwrap();
        assert_eq!(
            UserRequest::decode(&bytes[..]).unwrap().user_id,
            7,
            "{json}"
        );
    }
}

#[test]
fn refuses_unknown_fields_bad_types_and_trailing_text() {
    let desc = demo().message("demo.v1.UserRequest").unwrap();
    for json in [
        r#"{"userid": 1}"#,
        r#"{"userId": "one"}"#,
        r#"{"userId": 1.5}"#,
        r#"{"userId": 1} x"#,
        "[]",
        "",
    ] {
        let status = encode(&desc, json).unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "{json}");
        assert!(
            status.message().contains("demo.v1.UserRequest"),
            "{status:?}"
        );
    }
}

#[test]
fn undecodable_bytes_are_internal() {
    let desc = demo().message("demo.v1.UserResponse").unwrap();
    // Field 2 (name) claims 5 bytes, 1 follows.
    let status = decode(&desc, &[0x12, 5, b'a'], JsonOptions::default()).unwrap_err();
    assert_eq!(status.code(), Code::Internal);
}

#[test]
fn decode_options_shape_the_json() {
    let desc = demo().message("demo.v1.UserResponse").unwrap();
    let bytes = UserResponse {
        user_id: 1,
        name: String::new(),
        email: "a@b".into(),
    }
    .encode_to_vec();
    let canonical = decode(&desc, &bytes, JsonOptions::default()).unwrap();
    assert_eq!(canonical, r#"{"userId":1,"email":"a@b"}"#);
    let full = decode(
        &desc,
        &bytes,
        JsonOptions {
            emit_defaults: true,
            proto_field_names: true,
            ..JsonOptions::default()
        },
    )
    .unwrap();
    assert_eq!(full, r#"{"user_id":1,"name":"","email":"a@b"}"#);
}

#[test]
fn a_file_descriptor_set_loads_and_garbage_does_not() {
    let set = prost_reflect::prost_types::FileDescriptorSet { file: demo_files() };
    let schema = Schema::from_file_descriptor_set(&set.encode_to_vec()).unwrap();
    assert!(schema.method("demo.v1.UserService/GetUser").is_ok());
    let status = Schema::from_file_descriptor_set(&[0x0a, 0xff]).unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
}

proptest! {
    /// JSON -> bytes agrees with prost's generated code, and bytes -> JSON -> bytes is stable.
    #[test]
    fn agrees_with_generated_code(
        page_size: u32,
        after_user_id: i32,
        name_contains in "\\PC{0,20}",
        delay_ms: u32,
    ) {
        let schema = demo();
        let desc = schema.message("demo.v1.ListUsersRequest").unwrap();
        let expected = ListUsersRequest { page_size, after_user_id, name_contains, delay_ms };
        let json = json!({
            "pageSize": page_size,
            "afterUserId": after_user_id,
            "nameContains": expected.name_contains,
            "delayMs": delay_ms,
        })
        .to_string();
        let bytes = encode(&desc, &json).unwrap();
        prop_assert_eq!(ListUsersRequest::decode(&bytes[..]).unwrap(), expected.clone());
        let back = decode(&desc, &expected.encode_to_vec(), JsonOptions::default()).unwrap();
        prop_assert_eq!(encode(&desc, &back).unwrap(), expected.encode_to_vec());
    }
}
