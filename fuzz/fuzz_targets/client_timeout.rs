//! `grpc-timeout` values: any text parses or is refused without panicking, and any
//! duration up to the cap (99999999 hours) encodes to a value that parses back to at least
//! that duration; below 584 years, rounded up by less than one unit of the encoding,
//! which is under 1/99999 of the duration.
#![no_main]

use std::time::Duration;

use grpc_web_wasm::protocol::timeout::{encode, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse(&String::from_utf8_lossy(data));
    if data.len() >= 12 {
        let secs = u64::from_le_bytes(data[..8].try_into().unwrap());
        let nanos = u32::from_le_bytes(data[8..12].try_into().unwrap()) % 1_000_000_000;
        let d = Duration::new(secs, nanos);
        let back = parse(&encode(d)).expect("encode gives a valid value");
        let cap = Duration::from_secs(99_999_999 * 3600);
        if d <= cap {
            assert!(back >= d, "{d:?} encoded as {} reads {back:?}", encode(d));
        }
        // Past u64 nanoseconds (584 years) `encode` gives the cap on purpose; below, the
        // unit grows only once eight digits of the smaller one are not enough.
        if d.as_nanos() <= u128::from(u64::MAX) {
            let slack = d / 99_999;
            assert!(
                back - d <= slack,
                "{d:?} encoded as {} reads {back:?}",
                encode(d)
            );
        }
    }
});
