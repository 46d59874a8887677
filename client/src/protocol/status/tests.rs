use super::*;

#[test]
fn codes_round_trip_and_unknowns() {
    for n in 0..=16 {
        assert_eq!(Code::from_i32(n).as_i32(), n);
    }
    assert_eq!(Code::from_i32(17), Code::Unknown);
    assert_eq!(Code::from_i32(-1), Code::Unknown);
    assert_eq!(Code::NotFound.to_string(), "NOT_FOUND");
}

#[test]
fn http_mapping_follows_the_spec_table() {
    let table = [
        (400, Code::Internal),
        (401, Code::Unauthenticated),
        (403, Code::PermissionDenied),
        (404, Code::Unimplemented),
        (429, Code::Unavailable),
        (502, Code::Unavailable),
        (503, Code::Unavailable),
        (504, Code::Unavailable),
        (500, Code::Unknown),
        (302, Code::Unknown),
    ];
    for (http, code) in table {
        assert_eq!(Code::from_http_status(http), code, "HTTP {http}");
    }
}

#[test]
fn status_from_trailers() {
    let mut md = MetadataMap::new();
    md.push_received("grpc-status", "5");
    md.push_received("grpc-message", "user%2042%20not%20found");
    let s = Status::from_metadata(&md).unwrap();
    assert_eq!(s.code(), Code::NotFound);
    assert_eq!(s.message(), "user 42 not found");
    assert_eq!(s.metadata().get("grpc-status"), Some("5"));
    assert_eq!(s.to_string(), "NOT_FOUND: user 42 not found");

    assert!(Status::from_metadata(&MetadataMap::new()).is_none());
    for bad in ["", "abc", "99", "-3", "1x"] {
        let mut md = MetadataMap::new();
        md.push_received("grpc-status", bad);
        let s = Status::from_metadata(&md).unwrap();
        assert_eq!(s.code(), Code::Unknown, "{bad:?}");
        assert!(s.message().contains("invalid grpc-status"));
    }
}

#[test]
fn rich_details_decode_from_trailers() {
    let detail = prost_types::Duration {
        seconds: 3,
        nanos: 0,
    };
    let rpc = RpcStatus {
        code: 3,
        message: "bad".into(),
        details: vec![
            prost_types::Any {
                type_url: "type.googleapis.com/other.Thing".into(),
                value: vec![1, 2],
            },
            prost_types::Any::from_msg(&detail).unwrap(),
        ],
    };
    let mut md = MetadataMap::new();
    md.push_received("grpc-status", "3");
    md.push_received(
        "grpc-status-details-bin",
        crate::protocol::base64::encode(&rpc.encode_to_vec(), true),
    );
    let s = Status::from_metadata(&md).unwrap();
    assert_eq!(s.rpc_status(), Some(rpc.clone()));
    assert_eq!(s.details(), rpc.encode_to_vec(), "the bytes as sent");
    assert_eq!(s.error_details().len(), 2);
    assert_eq!(s.detail::<prost_types::Duration>(), Some(detail));
    assert_eq!(s.detail::<prost_types::Timestamp>(), None);

    let mut garbage = MetadataMap::new();
    garbage.push_received("grpc-status-details-bin", "!!!");
    let s = Status::new(Code::Unknown, "x").carrying_metadata(garbage);
    assert!(s.details().is_empty());
    assert!(s.error_details().is_empty());
}

#[test]
fn grpc_status_numbers_read_as_from_str_would() {
    for v in [
        "0",
        "16",
        "+7",
        "-0",
        "007",
        "17",
        "-1",
        "",
        "+",
        "-",
        "1 ",
        "x",
        "99999999999",
    ] {
        let want = v.parse::<i32>().ok().filter(|n| (0..=16).contains(n));
        assert_eq!(code_number(v), want, "{v:?}");
    }
}

#[test]
fn http_replies_are_kept_for_debugging() {
    let s = Status::new(Code::Unavailable, "HTTP 502").with_http_reply(502, "<h1>Bad</h1>");
    assert_eq!(s.http_status(), Some(502));
    assert_eq!(s.body_excerpt(), Some("<h1>Bad</h1>"));
    let shown = if cfg!(feature = "detailed-errors") {
        "UNAVAILABLE: HTTP 502 (body: \"<h1>Bad</h1>\")"
    } else {
        "UNAVAILABLE: HTTP 502"
    };
    assert_eq!(s.to_string(), shown);
}

#[test]
fn percent_codec() {
    assert_eq!(percent_encode("a b%c\n"), "a b%25c%0A");
    assert_eq!(percent_encode("ünï"), "%C3%BCn%C3%AF");
    assert_eq!(percent_decode("%C3%BCn%C3%AF"), "ünï");
    // Broken sequences pass through rather than failing the call.
    assert_eq!(percent_decode("100%"), "100%");
    assert_eq!(percent_decode("%zz%4"), "%zz%4");
    assert_eq!(percent_decode("%FF"), "\u{FFFD}");
}

#[cfg(not(target_arch = "wasm32"))]
proptest::proptest! {
    #[test]
    fn percent_round_trip(s in ".*") {
        let encoded = percent_encode(&s);
        proptest::prop_assert!(encoded.bytes().all(|b| (0x20..=0x7e).contains(&b)));
        proptest::prop_assert_eq!(percent_decode(&encoded), s);
    }

    #[test]
    fn percent_decode_never_panics(s in "(%|[0-9a-fA-F]|.){0,40}") {
        let _ = percent_decode(&s);
    }
}
