use super::*;
use crate::js::schema::tests::demo_files;

/// Answers like a reflection server holding `files` (file_containing_symbol sends the
/// file alone, so imports must be asked for).
fn answer(files: &[FileDescriptorProto], request: &[u8]) -> Vec<u8> {
    let request = ReflectionRequest::decode(request).unwrap();
    let answer = match request.query.unwrap() {
        Query::ListServices(_) => Answer::Services(ListServiceResponse {
            service: files
                .iter()
                .flat_map(|f| &f.service)
                .map(|s| ServiceResponse {
                    name: format!("{}.{}", f_package(files, s.name()), s.name()),
                })
                .collect(),
        }),
        Query::Symbol(symbol) => {
            let found: Vec<Vec<u8>> = files
                .iter()
                .filter(|f| {
                    f.service
                        .iter()
                        .any(|s| symbol == format!("{}.{}", f.package(), s.name()))
                })
                .map(|f| f.encode_to_vec())
                .collect();
            if found.is_empty() {
                Answer::Error(ErrorResponse {
                    error_code: Code::NotFound.as_i32(),
                    error_message: format!("no symbol {symbol}"),
                })
            } else {
                Answer::Files(FileDescriptorResponse {
                    file_descriptor_proto: found,
                })
            }
        }
        Query::File(name) => match files.iter().find(|f| f.name() == name) {
            Some(f) => Answer::Files(FileDescriptorResponse {
                file_descriptor_proto: vec![f.encode_to_vec()],
            }),
            None => Answer::Error(ErrorResponse {
                error_code: Code::NotFound.as_i32(),
                error_message: format!("no file {name}"),
            }),
        },
    };
    ReflectionResponse {
        answer: Some(answer),
    }
    .encode_to_vec()
}

fn f_package(files: &[FileDescriptorProto], service: &str) -> String {
    files
        .iter()
        .find(|f| f.service.iter().any(|s| s.name() == service))
        .map(|f| f.package().to_string())
        .unwrap()
}

fn discover(files: &[FileDescriptorProto]) -> (Result<Schema, Status>, usize) {
    let mut discovery = Discovery::new();
    let mut sent = 0;
    while let Some((query, request)) = discovery.next_request().unwrap() {
        sent += 1;
        if let Err(status) = discovery.on_response(&query, &answer(files, &request)) {
            return (Err(status), sent);
        }
    }
    (discovery.finish(), sent)
}

#[test]
fn walks_services_then_files() {
    let (schema, sent) = discover(&demo_files());
    let schema = schema.unwrap();
    assert!(schema.method("demo.v1.UserService/ListUsers").is_ok());
    // list_services, then one file_containing_symbol.
    assert_eq!(sent, 2);
}

#[test]
fn asks_for_missing_imports_by_name() {
    let mut files = demo_files();
    let mut import = FileDescriptorProto {
        name: Some("demo/v1/common.proto".into()),
        package: Some("demo.v1".into()),
        syntax: Some("proto3".into()),
        ..Default::default()
    };
    import
        .message_type
        .push(prost_reflect::prost_types::DescriptorProto {
            name: Some("Empty".into()),
            ..Default::default()
        });
    files[0].dependency.push(import.name().to_string());
    files.push(import);
    let (schema, sent) = discover(&files);
    assert!(schema.unwrap().message("demo.v1.Empty").is_ok());
    assert_eq!(sent, 3);
}

#[test]
fn a_missing_import_is_the_servers_error() {
    let mut files = demo_files();
    files[0].dependency.push("absent.proto".into());
    let (schema, _) = discover(&files);
    let status = schema.unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    assert!(status.message().contains("absent.proto"), "{status:?}");
}

#[test]
fn a_service_without_a_file_is_left_out() {
    let files = demo_files();
    let mut discovery = Discovery::new();
    let (query, _) = discovery.next_request().unwrap().unwrap();
    let listed = ReflectionResponse {
        answer: Some(Answer::Services(ListServiceResponse {
            service: vec![
                ServiceResponse {
                    name: "grpc.reflection.v1.ServerReflection".into(),
                },
                ServiceResponse {
                    name: "demo.v1.UserService".into(),
                },
            ],
        })),
    };
    discovery
        .on_response(&query, &listed.encode_to_vec())
        .unwrap();
    while let Some((query, request)) = discovery.next_request().unwrap() {
        discovery
            .on_response(&query, &answer(&files, &request))
            .unwrap();
    }
    let schema = discovery.finish().unwrap();
    assert!(schema.method("demo.v1.UserService/GetUser").is_ok());
    assert!(schema
        .method("grpc.reflection.v1.ServerReflection/ServerReflectionInfo")
        .is_err());
}

#[test]
fn garbage_answers_are_internal() {
    let mut discovery = Discovery::new();
    let (query, _) = discovery.next_request().unwrap().unwrap();
    let status = discovery.on_response(&query, &[0x22, 0x05]).unwrap_err();
    assert_eq!(status.code(), Code::Internal);
    let status = discovery.on_response(&query, &[]).unwrap_err();
    assert_eq!(status.code(), Code::Internal);
}
