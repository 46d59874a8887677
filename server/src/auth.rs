//! The optional bearer-token check for protected methods.

use tonic::metadata::MetadataMap;
use tonic::Status;

/// Passes when no token is configured, or when `authorization` is `Bearer <token>`;
/// `UNAUTHENTICATED` otherwise, without saying which part was wrong.
pub fn check_bearer(metadata: &MetadataMap, token: Option<&str>) -> Result<(), Status> {
    let Some(token) = token else {
        return Ok(());
    };
    let presented = metadata
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        });
    match presented {
        Some(p) if constant_time_eq(p.as_bytes(), token.as_bytes()) => Ok(()),
        Some(_) => Err(Status::unauthenticated("invalid bearer token")),
        None => Err(Status::unauthenticated(
            "this method needs `authorization: Bearer <token>`",
        )),
    }
}

/// Compares without an early exit, so response time does not reveal a matching prefix.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_auth(value: &str) -> MetadataMap {
        let mut m = MetadataMap::new();
        m.insert("authorization", value.parse().unwrap());
        m
    }

    #[test]
    fn bearer_tokens() {
        assert!(check_bearer(&MetadataMap::new(), None).is_ok());
        assert!(check_bearer(&with_auth("Bearer s3cret"), Some("s3cret")).is_ok());
        assert!(check_bearer(&with_auth("bearer s3cret"), Some("s3cret")).is_ok());
        for bad in [
            "Bearer s3cre",
            "Bearer s3cretX",
            "Basic s3cret",
            "s3cret",
            "Bearer ",
        ] {
            let err = check_bearer(&with_auth(bad), Some("s3cret")).unwrap_err();
            assert_eq!(err.code(), tonic::Code::Unauthenticated, "{bad}");
        }
        let err = check_bearer(&MetadataMap::new(), Some("s3cret")).unwrap_err();
        assert_eq!(err.code(), tonic::Code::Unauthenticated);
    }
}
