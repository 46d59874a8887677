//! [`Response`]: a reply message with the headers and trailers that came with it.

use crate::protocol::metadata::MetadataMap;

/// A reply message with the headers and trailers that came with it.
///
/// A test can stand in for a server with [`Response::new`] or [`Response::from_parts`]:
///
/// ```
/// use grpc_web_wasm::{MetadataMap, Response};
///
/// let mut trailers = MetadataMap::new();
/// trailers.insert("x-trace", "0").unwrap();
/// let reply = Response::from_parts(MetadataMap::new(), "Ada".to_owned(), trailers);
/// let (_headers, name, trailers) = reply.into_parts();
/// assert_eq!((name.as_str(), trailers.get("x-trace")), ("Ada", Some("0")));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Response<T> {
    pub(crate) message: T,
    pub(crate) headers: MetadataMap,
    pub(crate) trailers: MetadataMap,
}

impl<T> Response<T> {
    /// A response holding `message` and no metadata: for tests and mocks of generated clients.
    pub fn new(message: T) -> Response<T> {
        Response {
            message,
            headers: MetadataMap::new(),
            trailers: MetadataMap::new(),
        }
    }

    /// A response from its parts, as a server would have sent them: for tests and mocks.
    pub fn from_parts(headers: MetadataMap, message: T, trailers: MetadataMap) -> Response<T> {
        Response {
            message,
            headers,
            trailers,
        }
    }

    /// The headers, the message and the trailers, apart.
    pub fn into_parts(self) -> (MetadataMap, T, MetadataMap) {
        (self.headers, self.message, self.trailers)
    }

    /// The message.
    pub fn get_ref(&self) -> &T {
        &self.message
    }

    /// The message, for changing.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.message
    }

    /// The message, dropping the metadata.
    pub fn into_inner(self) -> T {
        self.message
    }

    /// Response headers the browser exposes (CORS limits which).
    pub fn headers(&self) -> &MetadataMap {
        &self.headers
    }

    /// The headers, for changing.
    pub fn headers_mut(&mut self) -> &mut MetadataMap {
        &mut self.headers
    }

    /// The trailers, `grpc-status` included.
    pub fn trailers(&self) -> &MetadataMap {
        &self.trailers
    }

    /// The trailers, for changing.
    pub fn trailers_mut(&mut self) -> &mut MetadataMap {
        &mut self.trailers
    }

    /// The same metadata with the message transformed.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            message: f(self.message),
            headers: self.headers,
            trailers: self.trailers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(key: &str, value: &str) -> MetadataMap {
        let mut map = MetadataMap::new();
        map.insert(key, value).unwrap();
        map
    }

    #[test]
    fn parts_go_back_where_they_came_from() {
        let reply = Response::from_parts(map("x-h", "1"), 7u32, map("x-trace", "0"));
        assert_eq!(reply.headers().get("x-h"), Some("1"));
        assert_eq!(reply.trailers().get("x-trace"), Some("0"));
        let (headers, message, trailers) = reply.into_parts();
        assert_eq!(
            (headers.get("x-h"), message, trailers.get("x-trace")),
            (Some("1"), 7, Some("0"))
        );
    }

    #[test]
    fn each_part_can_be_changed_in_place() {
        let mut reply = Response::new(1u32);
        *reply.get_mut() += 1;
        reply.headers_mut().insert("x-h", "h").unwrap();
        reply.trailers_mut().insert("x-t", "t").unwrap();
        assert_eq!(*reply.get_ref(), 2);
        assert_eq!(reply.headers().get("x-h"), Some("h"));
        assert_eq!(reply.trailers().get("x-t"), Some("t"));
        assert_eq!(reply.headers().get("x-t"), None);
    }
}
