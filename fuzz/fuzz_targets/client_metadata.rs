//! Metadata keys and values from callers: a key and value accepted are read back as given,
//! text or binary, and nothing panics on refusal.
#![no_main]

use grpc_web_wasm::MetadataMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let (key, value) = rest.split_at(usize::from(split).min(rest.len()));
    let key = String::from_utf8_lossy(key);
    let mut md = MetadataMap::new();
    if md.insert_bin(&key, value).is_ok() {
        let back = md
            .get_bin(&key.to_ascii_lowercase())
            .expect("inserted")
            .expect("base64");
        assert_eq!(back, value);
    }
    let text = String::from_utf8_lossy(value);
    let mut md = MetadataMap::new();
    if md.append(&key, &text).is_ok() && md.append(&key, &text).is_ok() {
        let lower = key.to_ascii_lowercase();
        assert_eq!(md.get_all(&lower).count(), 2);
        assert_eq!(md.get(&lower), Some(&*text));
    }
});
