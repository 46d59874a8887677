//! Trailer blocks and `grpc-message` values from a peer: parsing never panics, a status is
//! read from any block that has `grpc-status`, and the percent codec round-trips text.
#![no_main]

use grpc_web_wasm::protocol::status::{percent_decode, percent_encode};
use grpc_web_wasm::protocol::trailers;
use grpc_web_wasm::Status;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(map) = trailers::parse(data) {
        let status = Status::from_metadata(&map);
        assert_eq!(status.is_some(), map.get("grpc-status").is_some());
    }
    let text = String::from_utf8_lossy(data);
    let _ = percent_decode(&text);
    assert_eq!(percent_decode(&percent_encode(&text)), text);
});
