//! Splitting and trimming at one ASCII byte, as `str::split`, `split_once` and
//! `trim_end_matches` do with a `char`, but by bytes. The `char` searchers link a UTF-8
//! decoder and a `memchr` per pattern kind (about 1 KB of wasm in the minimal app); every
//! separator in the protocol is ASCII, and cutting at an ASCII byte always leaves valid
//! UTF-8 on both sides, so the results are the same.

/// `value.to_string()`, by hand: std's integer formatting (with its 200-byte table of digit
/// pairs) would be linked into every build for the two headers that carry a number.
pub(crate) fn decimal(mut value: u64) -> String {
    let mut out = [0u8; 20];
    let mut at = out.len();
    loop {
        at -= 1;
        out[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    // Digits only, so never the empty fallback; `char`s collected one by one would link
    // UTF-8 encoding for them.
    std::str::from_utf8(&out[at..]).map_or_else(|_| String::new(), str::to_owned)
}

/// `s.split(sep as char)`, for an ASCII `sep`.
pub(crate) fn split(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let s = rest?;
        Some(match split_once(s, sep) {
            Some((head, tail)) => {
                rest = Some(tail);
                head
            }
            None => {
                rest = None;
                s
            }
        })
    })
}

/// `s.split_once(sep as char)`, for an ASCII `sep`.
pub(crate) fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    // A plain loop: `bytes().position()` compiled to four times the code at opt-level "z".
    let bytes = s.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == sep {
            // Never `None` for an ASCII `sep`: both sides start on a char boundary.
            return Some((s.get(..at)?, s.get(at + 1..)?));
        }
        at += 1;
    }
    None
}

/// `s.trim_end_matches(byte as char)`.
pub(crate) fn trim_end(s: &str, byte: u8) -> &str {
    let mut end = s.len();
    while end > 0 && s.as_bytes()[end - 1] == byte {
        end -= 1;
    }
    // Not `&s[..end]`: its char-boundary panic links the panic message's formatting, about
    // 3.4 KB gzipped where panics are not `immediate-abort` (stable std). The cut follows
    // an ASCII byte, so `get` never fails.
    s.get(..end).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_is_to_string() {
        for n in [
            0,
            1,
            9,
            10,
            99,
            100,
            12_345,
            99_999_999,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            assert_eq!(decimal(n), n.to_string());
        }
    }

    const CASES: &[&str] = &[
        "",
        "a",
        ",",
        ",,",
        "a,b",
        ",a,",
        "é,ü,,ß",
        "naïve,日本,",
        "no separator at all",
    ];

    #[test]
    fn split_is_strs_split() {
        for s in CASES {
            let ours: Vec<&str> = split(s, b',').collect();
            let std: Vec<&str> = s.split(',').collect();
            assert_eq!(ours, std, "{s:?}");
        }
    }

    #[test]
    fn split_once_is_strs_split_once() {
        for s in CASES {
            assert_eq!(split_once(s, b','), s.split_once(','), "{s:?}");
        }
    }

    #[test]
    fn trim_end_is_strs_trim_end_matches() {
        for s in CASES.iter().chain(&["a//", "//", "/a/b/", "日本/"]) {
            let s = s.replace(',', "/");
            assert_eq!(trim_end(&s, b'/'), s.trim_end_matches('/'), "{s:?}");
        }
    }
}
