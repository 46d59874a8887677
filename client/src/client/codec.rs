//! Messages to bytes and back for [`Client`](super::Client)'s calls: each request message
//! checked against the send limit before it is encoded, each reply decoded by prost.

use bytes::Bytes;
use prost::Message;

use crate::call::Outgoing;
use crate::duplex::IntoStreamingRequest;
use crate::protocol::detail::detail;
use crate::protocol::status::{Code, Status};
use crate::request::{IntoRequest, Request};

/// A stream of serialized messages, each checked against `max_len`.
pub(super) fn raw_stream<R>(request: R, max_len: usize) -> Request<crate::duplex::Messages>
where
    R: IntoStreamingRequest<Message = Bytes>,
{
    request.into_streaming_request().map(|messages| {
        let messages = StreamMap {
            inner: Box::pin(messages),
            max_len,
            encode: serialized,
        };
        Box::pin(messages) as crate::duplex::Messages
    })
}

/// The request stream with each message serialized as it is sent, or `RESOURCE_EXHAUSTED`
/// for one over `max_len`, checked before it is encoded.
pub(super) fn encoded_stream<R, T>(request: R, max_len: usize) -> Request<crate::duplex::Messages>
where
    R: IntoStreamingRequest<Message = T>,
    T: Message + 'static,
{
    request.into_streaming_request().map(|messages| {
        let messages = StreamMap {
            inner: Box::pin(messages),
            max_len,
            encode: encode_message::<T>,
        };
        Box::pin(messages) as crate::duplex::Messages
    })
}

/// Serializes each message of a request stream.
struct StreamMap<T> {
    inner: std::pin::Pin<Box<dyn futures_core::Stream<Item = T>>>,
    max_len: usize,
    encode: fn(T, usize) -> Result<Bytes, Status>,
}

impl<T> futures_core::Stream for StreamMap<T> {
    type Item = Result<Bytes, Status>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let (max_len, encode) = (self.max_len, self.encode);
        self.inner
            .as_mut()
            .poll_next(cx)
            .map(|item| item.map(|m| encode(m, max_len)))
    }
}

/// A message serialized, its size checked against `max_len` before anything is encoded.
fn encode_message<T: Message>(m: T, max_len: usize) -> Result<Bytes, Status> {
    let len = m.encoded_len();
    if len > max_len {
        Err(crate::protocol::request::too_large(len, max_len))
    } else {
        Ok(Bytes::from(m.encode_to_vec()))
    }
}

/// A message serialized already, its size checked against `max_len`.
fn serialized(m: Bytes, max_len: usize) -> Result<Bytes, Status> {
    if m.len() > max_len {
        Err(crate::protocol::request::too_large(m.len(), max_len))
    } else {
        Ok(m)
    }
}

/// The request with its message serialized, or `RESOURCE_EXHAUSTED` if it would exceed
/// `max_len`: the size is checked before anything is encoded.
pub(super) fn encoded<T: Message>(request: impl IntoRequest<T>, max_len: usize) -> Outgoing {
    request.into_request().map(|m| encode_message(m, max_len))
}

pub(super) fn decode<T: Message + Default>(bytes: Bytes) -> Result<T, Status> {
    T::decode(bytes).map_err(undecodable)
}

/// Not generic, so one copy serves every message type.
fn undecodable(e: prost::DecodeError) -> Status {
    Status::new(
        Code::Internal,
        detail!(
            "failed to decode the response message",
            "failed to decode the response message: {e}"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message that claims to be huge and must never be encoded.
    #[derive(Debug, Default)]
    struct Huge;

    impl Message for Huge {
        fn encode_raw(&self, _: &mut impl bytes::BufMut) {
            panic!("encoded despite exceeding the send limit");
        }
        fn merge_field(
            &mut self,
            _: u32,
            _: prost::encoding::WireType,
            _: &mut impl bytes::Buf,
            _: prost::encoding::DecodeContext,
        ) -> Result<(), prost::DecodeError> {
            Ok(())
        }
        fn encoded_len(&self) -> usize {
            usize::MAX / 2
        }
        fn clear(&mut self) {}
    }

    #[test]
    fn the_send_limit_is_checked_before_encoding() {
        let status = encoded(Huge, 4 << 20).message.unwrap_err();
        assert_eq!(status.code(), Code::ResourceExhausted);
        assert!(
            !cfg!(feature = "detailed-errors")
                || status
                    .message()
                    .contains(&format!("{} bytes", usize::MAX / 2)),
            "{status}"
        );
        let small = proto::demo::v1::UserRequest { user_id: 7 };
        assert_eq!(&encoded(small, 2).message.unwrap()[..], [0x08, 0x07]);
    }
}
