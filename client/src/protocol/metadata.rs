//! Call metadata: request headers a caller attaches, and the headers and trailers a reply
//! carries. ASCII values are stored as text; `-bin` keys carry base64 on the wire.

pub use super::base64::InvalidBase64;

use super::base64;
use super::detail::write_detail;
use super::quoted::Quoted;
use std::fmt;

/// Ordered multimap of lower-case keys to values. Duplicates are kept in arrival order.
///
/// Values are strings, not tonic's typed `MetadataValue`s, because that is all a browser
/// gives and takes: `fetch` reads and writes headers as strings (`Headers.get`), and
/// gRPC-Web trailers arrive as text lines in the body. A `-bin` value is stored as the
/// base64 text that goes on the wire: write it with [`insert_bin`](Self::insert_bin) /
/// [`append_bin`](Self::append_bin) (which encode) and read it with
/// [`get_bin`](Self::get_bin) / [`get_bin_all`](Self::get_bin_all) (which decode, padded or
/// not, and split the comma-joined values a browser makes of repeated headers);
/// [`get`](Self::get) shows the base64 text. Keys are lower-cased; `grpc-*` and the headers
/// the protocol or the browser set themselves are refused. A reply's headers hold only
/// those the server's CORS policy exposes (`Access-Control-Expose-Headers`).
///
/// ```
/// use grpc_web_wasm::MetadataMap;
///
/// let mut md = MetadataMap::new();
/// md.insert("x-request-id", "abc-123").unwrap();
/// md.insert_bin("trace-bin", &[0, 1, 2]).unwrap();
/// assert_eq!(md.get("x-request-id"), Some("abc-123"));
/// assert_eq!(md.get("trace-bin"), Some("AAEC"));
/// assert_eq!(md.get_bin("trace-bin"), Some(Ok(vec![0, 1, 2])));
/// assert!(md.insert("grpc-status", "0").is_err()); // reserved for the protocol
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetadataMap {
    entries: Vec<(String, String)>,
}

/// Why a key or value was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidMetadata {
    /// The key is empty or has a byte outside `[0-9a-z_.-]` (after lower-casing).
    Key(String),
    /// The key is one the protocol or the browser sets itself.
    Reserved(String),
    /// An ASCII value has a byte outside printable ASCII (0x20..=0x7E).
    Value(String),
    /// A text value was given for a `-bin` key, or bytes for a text key.
    Binary(String),
}

impl fmt::Display for InvalidMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidMetadata::Key(k) => write_detail!(
                f,
                "invalid metadata key",
                "invalid metadata key {}: want [0-9a-z_.-]+",
                Quoted(k)
            ),
            InvalidMetadata::Reserved(k) => write_detail!(
                f,
                "reserved metadata key",
                "metadata key {} is reserved for the protocol",
                Quoted(k)
            ),
            InvalidMetadata::Value(k) => write_detail!(
                f,
                "invalid metadata value",
                "invalid value for metadata key {}: want printable ASCII, or use a -bin key",
                Quoted(k)
            ),
            InvalidMetadata::Binary(k) => write_detail!(
                f,
                "binary metadata needs a -bin key",
                "metadata key {}: binary values need a key ending in -bin (insert_bin), text values one that does not",
                Quoted(k)
            ),
        }
    }
}

impl std::error::Error for InvalidMetadata {}

/// Headers that the call machinery owns; a caller setting them would corrupt the call.
/// Browsers also refuse to let pages set some (the "forbidden request headers"); refusing
/// them here says so, where `fetch` would drop them silently.
const RESERVED: &[&str] = &[
    "accept",
    "accept-encoding",
    "connection",
    "content-length",
    "content-type",
    "cookie",
    "host",
    "origin",
    "referer",
    "te",
    "transfer-encoding",
    "x-grpc-web",
    "x-user-agent",
];

impl MetadataMap {
    /// An empty map.
    pub const fn new() -> MetadataMap {
        MetadataMap {
            entries: Vec::new(),
        }
    }

    /// Sets `key` to an ASCII `value`, replacing earlier values.
    pub fn insert(&mut self, key: &str, value: &str) -> Result<(), InvalidMetadata> {
        let key = checked_key(key, false)?;
        check_value(&key, value)?;
        self.entries.retain(|(k, _)| *k != key);
        self.entries.push((key, value.to_owned()));
        Ok(())
    }

    /// Adds an ASCII `value` for `key`, keeping earlier ones.
    pub fn append(&mut self, key: &str, value: &str) -> Result<(), InvalidMetadata> {
        let key = checked_key(key, false)?;
        check_value(&key, value)?;
        self.entries.push((key, value.to_owned()));
        Ok(())
    }

    /// Sets a binary value; `key` must end in `-bin`. Sent as padded base64: the spec says
    /// receivers MUST accept padded and unpadded values and senders SHOULD omit padding, but
    /// widely used servers (Python's among them) refuse unpadded values with HTTP 500, and
    /// every server accepts padded ones, for at most two bytes more.
    pub fn insert_bin(&mut self, key: &str, value: &[u8]) -> Result<(), InvalidMetadata> {
        let key = checked_key(key, true)?;
        self.entries.retain(|(k, _)| *k != key);
        self.entries.push((key, base64::encode(value, true)));
        Ok(())
    }

    /// Adds a binary value for a `-bin` key, keeping earlier ones (padded, as
    /// [`insert_bin`](Self::insert_bin)).
    pub fn append_bin(&mut self, key: &str, value: &[u8]) -> Result<(), InvalidMetadata> {
        let key = checked_key(key, true)?;
        self.entries.push((key, base64::encode(value, true)));
        Ok(())
    }

    /// The first value for `key` (as sent: `-bin` values are base64 text).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// Every value for `key`, in arrival order.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.entries
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// The first value for a `-bin` key, decoded. Padded and unpadded base64 are both accepted.
    pub fn get_bin(&self, key: &str) -> Option<Result<Vec<u8>, InvalidBase64>> {
        self.get_bin_all(key).next()
    }

    /// Every value for a `-bin` key, decoded, in order. Repeated values arrive either as
    /// separate entries or joined with `,` in one (browsers join repeated headers).
    pub fn get_bin_all<'a>(
        &'a self,
        key: &'a str,
    ) -> impl Iterator<Item = Result<Vec<u8>, InvalidBase64>> + 'a {
        self.get_all(key)
            .flat_map(|v| super::ascii::split(v, b','))
            .map(decode_bin)
    }

    /// All entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of entries, duplicates counted.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Appends every entry of `other`, keeping this map's entries.
    pub fn extend_from(&mut self, other: &MetadataMap) {
        self.entries.extend(other.entries.iter().cloned());
    }

    /// Adds an entry received from the network. The key is lower-cased; nothing is refused,
    /// because a reply's metadata is reported as the server sent it.
    pub(crate) fn push_received(&mut self, key: &str, value: impl Into<String>) {
        self.entries.push((key.to_ascii_lowercase(), value.into()));
    }
}

/// Decodes one `-bin` value as sent: base64, padded or not, surrounding spaces ignored.
pub fn decode_bin(value: &str) -> Result<Vec<u8>, InvalidBase64> {
    base64::decode_unpadded(super::ascii::trim_end(value.trim(), b'=').as_bytes())
}

fn checked_key(key: &str, binary: bool) -> Result<String, InvalidMetadata> {
    let key = key.to_ascii_lowercase();
    let valid = !key.is_empty()
        && key.bytes().all(|b| {
            b.is_ascii_digit() || b.is_ascii_lowercase() || matches!(b, b'-' | b'_' | b'.')
        });
    if !valid {
        return Err(InvalidMetadata::Key(key));
    }
    if key.starts_with("grpc-") || RESERVED.contains(&key.as_str()) {
        return Err(InvalidMetadata::Reserved(key));
    }
    if key.ends_with("-bin") != binary {
        return Err(InvalidMetadata::Binary(key));
    }
    Ok(key)
}

fn check_value(key: &str, value: &str) -> Result<(), InvalidMetadata> {
    if value.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        Ok(())
    } else {
        Err(InvalidMetadata::Value(key.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_validated_and_lower_cased() {
        let mut md = MetadataMap::new();
        md.insert("X-Tenant", "a").unwrap();
        assert_eq!(md.iter().next(), Some(("x-tenant", "a")));
        assert_eq!(md.get("X-TENANT"), Some("a"));
        for bad in ["", "a b", "ü", "a:b"] {
            assert!(
                matches!(md.insert(bad, "v"), Err(InvalidMetadata::Key(_))),
                "{bad:?}"
            );
        }
        for reserved in ["grpc-timeout", "Content-Type", "x-grpc-web", "te"] {
            assert!(matches!(
                md.insert(reserved, "v"),
                Err(InvalidMetadata::Reserved(_))
            ));
        }
    }

    #[test]
    fn values_are_printable_ascii() {
        let mut md = MetadataMap::new();
        assert!(md.insert("k", "line\r\nInjected: yes").is_err());
        assert!(md.insert("k", "tab\t").is_err());
        assert!(md.insert("k", "naïve").is_err());
        assert!(md.insert("k", " ok ~").is_ok());
    }

    #[test]
    fn insert_replaces_append_keeps() {
        let mut md = MetadataMap::new();
        md.append("k", "1").unwrap();
        md.append("k", "2").unwrap();
        assert_eq!(md.get_all("k").collect::<Vec<_>>(), ["1", "2"]);
        md.insert("k", "3").unwrap();
        assert_eq!(md.get_all("k").collect::<Vec<_>>(), ["3"]);
        assert_eq!(md.len(), 1);
    }

    #[test]
    fn binary_values() {
        let mut md = MetadataMap::new();
        assert!(matches!(
            md.insert("k-bin", "x"),
            Err(InvalidMetadata::Binary(_))
        ));
        assert!(matches!(
            md.insert_bin("k", b"x"),
            Err(InvalidMetadata::Binary(_))
        ));
        md.insert_bin("k-bin", &[0xff, 0, 1]).unwrap();
        assert_eq!(md.get_bin("k-bin").unwrap().unwrap(), [0xff, 0, 1]);
        md.push_received("unpadded-bin", "/wAB");
        md.push_received("padded-bin", "/wA=");
        assert_eq!(md.get_bin("unpadded-bin").unwrap().unwrap(), [0xff, 0, 1]);
        assert_eq!(md.get_bin("padded-bin").unwrap().unwrap(), [0xff, 0]);
        md.push_received("broken-bin", "@@@");
        assert!(md.get_bin("broken-bin").unwrap().is_err());
    }

    #[test]
    fn binary_values_are_sent_padded_and_read_split() {
        let mut md = MetadataMap::new();
        md.insert_bin("k-bin", &[0xff]).unwrap();
        md.append_bin("k-bin", &[1, 2]).unwrap();
        assert_eq!(md.get_all("k-bin").collect::<Vec<_>>(), ["/w==", "AQI="]);
        md.push_received("j-bin", "/w==, AQI");
        let all: Vec<_> = md.get_bin_all("j-bin").map(Result::unwrap).collect();
        assert_eq!(all, [vec![0xff], vec![1, 2]]);
    }
}
