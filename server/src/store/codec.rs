//! How records are kept in Redis values and pub/sub messages: fields as `LEN:BYTES` one
//! after the other, so any text (newlines, colons, NULs) round-trips.

/// The fields as one value.
pub fn encode(fields: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in fields {
        out.extend_from_slice(f.len().to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(f.as_bytes());
    }
    out
}

/// The fields of a value, or `None` if it is not `count` well-formed UTF-8 fields.
pub fn decode(mut data: &[u8], count: usize) -> Option<Vec<String>> {
    let mut fields = Vec::with_capacity(count);
    while !data.is_empty() {
        let colon = data.iter().position(|&b| b == b':')?;
        let digits = &data[..colon];
        if digits.is_empty() || digits.len() > 10 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let len: usize = std::str::from_utf8(digits).ok()?.parse().ok()?;
        let rest = &data[colon + 1..];
        let field = rest.get(..len)?;
        fields.push(String::from_utf8(field.to_vec()).ok()?);
        data = &rest[len..];
    }
    (fields.len() == count).then_some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_text_round_trips() {
        let fields = ["", "a:b", "line\r\nbreak", "nul\0", "ünï"];
        assert_eq!(decode(&encode(&fields), 5).unwrap(), fields);
        assert_eq!(encode(&["ab", ""]), b"2:ab0:");
    }

    #[test]
    fn malformed_values_are_none() {
        for bad in [
            &b"3:ab"[..],
            b"x:ab",
            b":ab",
            b"2ab",
            b"1:\xff",
            b"99999999999:a",
        ] {
            assert_eq!(decode(bad, 1), None, "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(decode(b"1:a1:b", 1), None);
    }
}
