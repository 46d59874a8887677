//! Checks of flag values, each saying what it wants when a value is refused.

/// A decimal number within `range`.
pub(super) fn number<T>(
    flag: &str,
    v: &str,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    match v.parse::<T>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(format!(
            "{flag} {v:?}: want a number from {} to {}",
            range.start(),
            range.end()
        )),
    }
}

/// A token goes into a header value and is compared byte for byte: visible ASCII only.
pub(super) fn validate_token(token: &str) -> Result<(), String> {
    if !token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err("--auth-token: want visible ASCII characters, no spaces".into())
    }
}

/// An origin is `scheme://host[:port]` with nothing after it; browsers never send more,
/// so anything else here is a configuration mistake that would silently never match.
pub(super) fn validate_origin(origin: &str) -> Result<(), String> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| format!("--allow-origin {origin:?}: must start with http:// or https://"))?;
    let ok = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "--allow-origin {origin:?}: want scheme://host[:port], with no path or wildcard"
        ))
    }
}
