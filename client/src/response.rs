//! [`Response`]: a reply message with the headers and trailers that came with it.

use crate::protocol::metadata::MetadataMap;

/// A reply message with the headers and trailers that came with it.
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

    /// The message.
    pub fn get_ref(&self) -> &T {
        &self.message
    }

    /// The message, dropping the metadata.
    pub fn into_inner(self) -> T {
        self.message
    }

    /// Response headers the browser exposes (CORS limits which).
    pub fn headers(&self) -> &MetadataMap {
        &self.headers
    }

    /// The trailers, `grpc-status` included.
    pub fn trailers(&self) -> &MetadataMap {
        &self.trailers
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
