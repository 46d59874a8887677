//! Draining many small frames at once: the messages of a chunk leave the buffer in one
//! pass, as one span of its bytes and where each payload lies in it, so a face that copies
//! them out (the npm package's) does so once per chunk, not once per message, and no
//! message gets a `Bytes` of its own.

use bytes::Buf;

use super::{FrameDecoder, HEADER_LEN};

impl FrameDecoder {
    /// Takes every complete, uncompressed data frame at the front of the buffer: `take`
    /// gets the bytes they span (their headers included) and `bounds`, where each payload
    /// starts and ends in those bytes (`[start0, end0, start1, end1, ..]`); then they leave
    /// the buffer. `None`, with nothing taken, when no such frame is complete.
    ///
    /// It stops before anything else (a trailer frame, a compressed frame, reserved flags,
    /// a length over the limit, a frame not yet complete), which
    /// [`next_frame`](Self::next_frame) then yields or refuses, so frames keep their order
    /// and every error is the one `next_frame` reports. It reads only headers and never
    /// allocates for what a prefix claims.
    pub fn drain_data<R>(
        &mut self,
        bounds: &mut Vec<u32>,
        take: impl FnOnce(&[u8], &[u32]) -> R,
    ) -> Option<R> {
        bounds.clear();
        let mut at = 0;
        if let Some(h) = self.header {
            // The frame whose header `next_frame` already took: its payload is at the front.
            if h.flags != 0 || self.buf.len() < h.len {
                return None;
            }
            bounds.extend([0, h.len as u32]);
            at = h.len;
        }
        while let Some(head) = self.buf.get(at..at + HEADER_LEN) {
            let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]);
            let start = at + HEADER_LEN;
            let end = start.saturating_add(len as usize);
            let fits = usize::try_from(len).is_ok_and(|n| n <= self.max_message_len)
                && u32::try_from(end).is_ok();
            if head[0] != 0 || !fits || end > self.buf.len() {
                break;
            }
            bounds.extend([start as u32, end as u32]);
            at = end;
        }
        if bounds.is_empty() {
            return None;
        }
        let taken = take(&self.buf[..at], bounds);
        self.buf.advance(at);
        self.header = None;
        Some(taken)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{encode_header, Frame, FrameError, FLAG_COMPRESSED, FLAG_TRAILERS};
    use super::*;

    fn frame(flags: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = encode_header(flags, payload.len()).to_vec();
        v.extend_from_slice(payload);
        v
    }

    /// The payloads `drain_data` takes, or `None`.
    fn drain(d: &mut FrameDecoder) -> Option<Vec<Vec<u8>>> {
        d.drain_data(&mut Vec::new(), |bytes, bounds| {
            bounds
                .chunks(2)
                .map(|b| bytes[b[0] as usize..b[1] as usize].to_vec())
                .collect()
        })
    }

    #[test]
    fn takes_the_complete_data_frames_and_leaves_the_rest_in_order() {
        let mut d = FrameDecoder::new(100, 100);
        let mut body = [frame(0, b"a"), frame(0, b""), frame(0, b"bc")].concat();
        body.extend(frame(FLAG_TRAILERS, b"grpc-status: 0\r\n"));
        d.push(&body);
        assert_eq!(
            drain(&mut d),
            Some(vec![b"a".to_vec(), vec![], b"bc".to_vec()])
        );
        assert_eq!(drain(&mut d), None, "the trailers stop it");
        assert!(matches!(d.next_frame(), Ok(Some(Frame::Trailers { .. }))));
        assert_eq!(d.finish(), Ok(()));
    }

    #[test]
    fn stops_at_a_compressed_frame_and_a_partial_one() {
        let mut d = FrameDecoder::new(100, 100);
        let body = [
            frame(0, b"a"),
            frame(FLAG_COMPRESSED, b"z"),
            frame(0, b"bcd"),
        ]
        .concat();
        d.push(&body[..body.len() - 1]);
        assert_eq!(drain(&mut d), Some(vec![b"a".to_vec()]));
        assert_eq!(drain(&mut d), None);
        assert!(matches!(
            d.next_frame(),
            Ok(Some(Frame::Data {
                compressed: true,
                ..
            }))
        ));
        // Its header is whole, its payload is not.
        assert_eq!(drain(&mut d), None);
        d.push(&body[body.len() - 1..]);
        assert_eq!(drain(&mut d), Some(vec![b"bcd".to_vec()]));
        assert_eq!(d.finish(), Ok(()));
    }

    #[test]
    fn a_header_split_across_chunks_waits_for_its_rest() {
        let mut d = FrameDecoder::new(100, 100);
        let body = [frame(0, b"ab"), frame(0, b"cd")].concat();
        d.push(&body[..9]);
        assert_eq!(drain(&mut d), Some(vec![b"ab".to_vec()]));
        assert_eq!(drain(&mut d), None);
        d.push(&body[9..]);
        assert_eq!(drain(&mut d), Some(vec![b"cd".to_vec()]));
    }

    #[test]
    fn continues_a_frame_whose_header_next_frame_took() {
        let mut d = FrameDecoder::new(100, 100);
        let body = [frame(0, b"abc"), frame(0, b"d")].concat();
        d.push(&body[..6]);
        assert_eq!(d.next_frame(), Ok(None), "the header is taken");
        assert_eq!(drain(&mut d), None);
        d.push(&body[6..]);
        assert_eq!(drain(&mut d), Some(vec![b"abc".to_vec(), b"d".to_vec()]));
        assert_eq!(d.finish(), Ok(()));
    }

    #[test]
    fn leaves_refusals_to_next_frame_and_allocates_nothing_for_a_claim() {
        let mut d = FrameDecoder::new(4 << 20, 100);
        d.push(&frame(0, b"ok"));
        d.push(&[0, 0xff, 0xff, 0xff, 0xff]);
        let capacity = d.buf.capacity();
        assert_eq!(drain(&mut d), Some(vec![b"ok".to_vec()]));
        assert_eq!(drain(&mut d), None);
        assert!(d.buf.capacity() <= capacity);
        assert!(matches!(
            d.next_frame(),
            Err(FrameError::TooLarge { len: u32::MAX, .. })
        ));

        let mut d = FrameDecoder::new(100, 100);
        d.push(&[frame(0, b"ok"), frame(0x40, b"")].concat());
        assert_eq!(drain(&mut d), Some(vec![b"ok".to_vec()]));
        assert_eq!(drain(&mut d), None);
        assert_eq!(d.next_frame(), Err(FrameError::ReservedFlags(0x40)));
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Draining whenever it can, then taking the rest frame by frame, gives the
            /// frames `next_frame` alone gives, however the body is cut, garbage included.
            #[test]
            fn draining_changes_nothing_but_the_pace(
                frames in prop::collection::vec(
                    (prop::sample::select(vec![0u8, 0, 0, FLAG_COMPRESSED, FLAG_TRAILERS, 0x42]),
                     prop::collection::vec(any::<u8>(), 0..40)),
                    0..10),
                tail in prop::collection::vec(any::<u8>(), 0..8),
                cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
                limit in 0usize..50,
            ) {
                let mut body: Vec<u8> = frames.iter().flat_map(|(f, p)| frame(*f, p)).collect();
                body.extend(tail);
                let mut points: Vec<usize> = cuts.iter().map(|i| i.index(body.len() + 1)).collect();
                points.extend([0, body.len()]);
                points.sort_unstable();
                let run = |draining: bool| {
                    let mut d = FrameDecoder::new(limit, limit);
                    let mut out = Vec::new();
                    for w in points.windows(2) {
                        d.push(&body[w[0]..w[1]]);
                        loop {
                            if draining {
                                if let Some(taken) = drain(&mut d) {
                                    out.extend(taken.into_iter().map(|p| Ok(Frame::Data {
                                        payload: p.into(),
                                        compressed: false,
                                    })));
                                }
                            }
                            match d.next_frame() {
                                Ok(Some(f)) => out.push(Ok(f)),
                                Ok(None) => break,
                                Err(e) => {
                                    out.push(Err(e));
                                    return (out, None);
                                }
                            }
                        }
                    }
                    (out, Some(d.finish()))
                };
                prop_assert_eq!(run(true), run(false));
            }
        }
    }
}
