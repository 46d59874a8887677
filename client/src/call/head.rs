//! A call's head: what goes out with it beyond its message, after the client's
//! interceptors had their say, or, for a client without any, borrowed as it is.

use std::time::Duration;

use super::Outgoing;
use crate::client::Client;
use crate::interceptor::RequestHead;
use crate::protocol::metadata::MetadataMap;
use crate::protocol::status::Status;
use crate::request::Request;

/// What goes out with a call, after the client's interceptors had their say: the client's
/// headers then the request's metadata, and the request's deadline or the client's.
pub(crate) fn request_head<T>(
    client: &Client,
    path: &str,
    request: &Request<T>,
) -> Result<RequestHead, Status> {
    attempt_head(client, path, request, 0)
}

/// [`request_head`] for an attempt after `previous` others of the same call.
pub(crate) fn attempt_head<T>(
    client: &Client,
    path: &str,
    request: &Request<T>,
    previous_attempts: u32,
) -> Result<RequestHead, Status> {
    let config = client.config();
    let mut metadata = config.headers.clone();
    metadata.extend_from(&request.metadata);
    let mut head = RequestHead {
        path: path.to_owned(),
        metadata,
        timeout: request.timeout.or(config.timeout),
        previous_attempts,
    };
    for i in config.interceptors() {
        i.on_request(&mut head)?;
    }
    Ok(head)
}

/// What one attempt sends beyond its message: a [`RequestHead`] borrowed, or, for a
/// client without interceptors, the client's and the request's parts as they are.
pub(crate) struct Head<'a> {
    pub(crate) path: &'a str,
    /// Sent in this order.
    pub(crate) metadata: [&'a MetadataMap; 2],
    pub(crate) timeout: Option<Duration>,
    pub(crate) previous_attempts: u32,
}

/// No metadata, for a [`Head`] that has one map.
static NO_METADATA: MetadataMap = MetadataMap::new();

impl RequestHead {
    /// This head, as [`send_head`] takes it.
    pub(crate) fn borrowed(&self) -> Head<'_> {
        Head {
            path: &self.path,
            metadata: [&self.metadata, &NO_METADATA],
            timeout: self.timeout,
            previous_attempts: self.previous_attempts,
        }
    }
}

/// The arguments of [`Hooks::head`](super::Hooks).
pub(crate) struct HeadOf<'a> {
    pub(crate) client: &'a Client,
    pub(crate) path: &'a str,
    pub(crate) request: &'a Outgoing,
}
