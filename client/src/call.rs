//! The call machinery every face shares: a request goes out through the transport, its
//! reply comes back through one [`ReplyDecoder`](crate::protocol::reply::ReplyDecoder),
//! and the call's end is reported to the interceptors from one place ([`CallGuard`]).

use bytes::Bytes;

use crate::client::Client;
use crate::protocol::reply::{Cardinality, ReplyDecoder, ReplyHead, Yield};
use crate::protocol::request::{self, Wire};
use crate::protocol::status::{Code, Status};
use crate::request::Request;
use crate::response::Response;
use crate::streaming::RawStream;
use crate::transport::{self, Abort};

mod guard;
mod head;

pub(crate) use guard::{CallGuard, Hooks, HOOKS};
pub(crate) use head::{attempt_head, request_head, Head, HeadOf};

/// A request whose message is serialized, or the reason it could not be (a message over
/// the send limit is refused before it is encoded).
pub(crate) type Outgoing = Request<Result<Bytes, Status>>;

/// Sends the request and returns the reply as a stream once its head has arrived.
pub(crate) async fn start(
    client: &Client,
    path: &str,
    request: Outgoing,
    cardinality: Cardinality,
) -> Result<RawStream, Status> {
    // Set only with a retry config: an app that never sets one never links the retry driver.
    if let Some(retrying) = client.config().retry_start {
        let args = crate::retry::StartArgs {
            client,
            path,
            request,
            cardinality,
        };
        return retrying(args).await;
    }
    start_once(client, path, request, cardinality).await
}

/// [`start`] without retries: one attempt.
pub(crate) async fn start_once(
    client: &Client,
    path: &str,
    request: Outgoing,
    cardinality: Cardinality,
) -> Result<RawStream, Status> {
    let mut guard = CallGuard::new(client, path);
    match send(client, path, request, cardinality).await {
        Ok((reply, body, headers)) => Ok(RawStream::new(
            headers,
            reply,
            crate::streaming::Source::Fetch(body),
            guard,
        )),
        Err(status) => {
            guard.end(&status);
            Err(status)
        }
    }
}

async fn send(
    client: &Client,
    path: &str,
    request: Outgoing,
    cardinality: Cardinality,
) -> Result<Sent, Status> {
    let config = client.config();
    // Kept here while the call is sent: `head` borrows it.
    let intercepted;
    let head = match config.hooks {
        Some(hooks) => {
            intercepted = (hooks.head)(&HeadOf {
                client,
                path,
                request: &request,
            })?;
            intercepted.borrowed()
        }
        // What `request_head` would make, borrowed rather than copied.
        None => Head {
            path,
            metadata: [&config.headers, &request.metadata],
            timeout: request.timeout.or(config.timeout),
            previous_attempts: 0,
        },
    };
    send_head(
        client,
        &head,
        &request.message?,
        &request.signals,
        cardinality,
    )
    .await
}

/// What [`send`] returns: the reply's decoder, its body still to read, and its headers.
pub(crate) type Sent = (
    ReplyDecoder,
    transport::BodyReader,
    crate::protocol::metadata::MetadataMap,
);

/// Sends one attempt of a call whose interceptors already ran (`head`).
pub(crate) async fn send_head(
    client: &Client,
    head: &Head<'_>,
    message: &Bytes,
    signals: &[web_sys::AbortSignal],
    cardinality: Cardinality,
) -> Result<Sent, Status> {
    let config = client.config();
    let path = head.path;
    let url = request::method_url(&config.base_url, path)?;
    let wire = Wire {
        text: config.text,
        timeout: head.timeout,
        send_compression: config.send_compression,
        accept_compression: config.accept_compression.clone(),
        previous_attempts: head.previous_attempts,
    };
    let body = transport::request_body(&wire, message, config.max_send_message_size).await?;
    let mut lines = String::new();
    request::each_header(&wire, &head.metadata, |k, v| {
        transport::header_line(&mut lines, k, &v)
    });
    let abort = Abort::new(head.timeout, signals)?;
    let reply = transport::send(&url, &lines, &body, config.credentials, abort).await?;
    let decoder = ReplyDecoder::new(
        &ReplyHead {
            status: reply.status,
            // Lower-cased as received; the browser joins repeated headers into one.
            content_type: reply.headers.get("content-type"),
            headers: &reply.headers,
        },
        cardinality,
        config.limits,
    );
    Ok((decoder, reply.body, reply.headers))
}

/// A unary call: one message back with an OK status, decoded by `decode`. The
/// interceptors see the end the caller gets, a failure to decode included.
pub(crate) async fn unary<T>(
    client: &Client,
    path: &str,
    request: Outgoing,
    decode: impl FnOnce(Bytes) -> Result<T, Status>,
) -> Result<Response<T>, Status> {
    let stream = start(client, path, request, Cardinality::Unary).await?;
    finish_unary(stream, decode).await
}

/// The rest of a call with one reply message: reads it to its end, decodes the message, and
/// reports the end the caller gets.
pub(crate) async fn finish_unary<T>(
    mut stream: RawStream,
    decode: impl FnOnce(Bytes) -> Result<T, Status>,
) -> Result<Response<T>, Status> {
    let mut message = None;
    let end = loop {
        match stream.next().await {
            Some(Yield::Message(m)) => message = Some(m),
            Some(Yield::End(end)) => break end,
            // The stream yields exactly one end before it runs dry.
            None => break Err(Status::new(Code::Internal, "reply ended twice")),
        }
    };
    let outcome = end
        .and_then(|trailers| {
            // The decoder yields a unary reply's message right before an OK end.
            let bytes = message.ok_or_else(|| Status::new(Code::Internal, "no message"))?;
            let message = decode(bytes).map_err(|s| s.carrying_metadata(trailers.clone()))?;
            Ok(Response {
                message,
                headers: stream.headers().clone(),
                trailers,
            })
        })
        .map_err(|s| stream.with_headers(s));
    match &outcome {
        Ok(r) => stream.finish_ok(&r.trailers),
        Err(status) => stream.finish(status),
    }
    outcome
}
