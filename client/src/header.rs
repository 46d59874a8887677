//! [`InvalidHeader`]: a default header [`Client::header`] refused, with the client given
//! back, so a bad key costs the caller nothing they had built.

use std::fmt;

use crate::client::Client;
use crate::protocol::metadata::InvalidMetadata;

/// A header [`Client::header`] or [`Client::header_bin`] refused. It holds the client as
/// it was before the call ([`into_client`](Self::into_client)), as `String::from_utf8`'s
/// error holds the bytes.
#[derive(Debug)]
pub struct InvalidHeader {
    pub(crate) client: Client,
    pub(crate) error: InvalidMetadata,
}

impl InvalidHeader {
    /// Why the header was refused.
    pub fn error(&self) -> &InvalidMetadata {
        &self.error
    }

    /// The client, unchanged by the refused header.
    pub fn into_client(self) -> Client {
        self.client
    }
}

impl fmt::Display for InvalidHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for InvalidHeader {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Client, InvalidMetadata};

    #[test]
    fn a_refused_header_gives_the_client_back_unchanged() {
        let client = Client::new("https://api.example.com")
            .header("x-api-key", "k")
            .unwrap();
        let refused = client.header("Bad Key", "v").unwrap_err();
        assert_eq!(refused.error(), &InvalidMetadata::Key("bad key".into()));
        let client = refused.into_client();
        assert_eq!(client.base_url(), "https://api.example.com");
        let headers: Vec<_> = client.headers().iter().collect();
        assert_eq!(headers, [("x-api-key", "k")]);
    }

    #[test]
    fn a_refused_binary_header_gives_the_client_back_too() {
        let client = Client::new("https://api.example.com");
        let refused = client.header_bin("x-plain", b"\x00").unwrap_err();
        assert!(matches!(refused.error(), InvalidMetadata::Binary(_)));
        assert!(refused.into_client().headers().is_empty());
    }

    #[test]
    fn headers_mut_changes_the_defaults_in_place() {
        let mut client = Client::new("https://api.example.com");
        let copy = client.clone();
        client.headers_mut().insert("x-a", "1").unwrap();
        assert!(client.headers_mut().insert("Bad Key", "v").is_err());
        assert_eq!(client.headers().get("x-a"), Some("1"));
        assert_eq!(client.headers().len(), 1);
        assert!(
            copy.headers().is_empty(),
            "clones made before keep their headers"
        );
    }
}
