//! The body decoder: frame order, limits, text mode and gzip, over any chunking.

use super::*;
use crate::protocol::frame::{encode_header, FLAG_COMPRESSED, FLAG_TRAILERS};

fn frame(flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = encode_header(flags, payload.len()).to_vec();
    v.extend_from_slice(payload);
    v
}

#[test]
fn order_and_ending_violations_are_internal() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("no trailers", frame(0, b"a")),
        ("empty body", vec![]),
        ("truncated", frame(0, b"abc")[..6].to_vec()),
        (
            "after trailers",
            [frame(FLAG_TRAILERS, b"grpc-status: 0"), frame(0, b"a")].concat(),
        ),
        (
            "compressed without grpc-encoding",
            [
                frame(FLAG_COMPRESSED, b"a"),
                frame(FLAG_TRAILERS, b"grpc-status: 0"),
            ]
            .concat(),
        ),
    ];
    for (name, body) in cases {
        let s = events(BodyFormat::default(), &[&body]).unwrap_err();
        assert_eq!(s.code(), Code::Internal, "{name}: {s}");
    }
}

#[test]
fn oversized_message_is_resource_exhausted() {
    let mut d = BodyDecoder::new(Limits {
        max_message_size: 2,
        ..Limits::default()
    });
    d.push(&frame(0, b"abc")).unwrap();
    let s = d.next_event().unwrap_err();
    assert_eq!(s.code(), Code::ResourceExhausted);
    assert!(
        !cfg!(feature = "detailed-errors") || s.message().contains("limit of 2 bytes"),
        "{s}"
    );
}

fn events(format: BodyFormat, chunks: &[&[u8]]) -> Result<Vec<Event>, Status> {
    let mut d = BodyDecoder::with_format(Limits::default(), format);
    let mut out = Vec::new();
    for c in chunks {
        d.push(c)?;
        while let Some(e) = d.next_event()? {
            out.push(e);
        }
    }
    d.finish()?;
    Ok(out)
}

#[cfg(any(feature = "text-mode", feature = "gzip"))]
fn ok_trailers() -> Event {
    let mut t = MetadataMap::new();
    t.push_received("grpc-status", "0");
    Event::Trailers(t)
}

#[test]
#[cfg(feature = "text-mode")]
fn text_mode_decodes_base64_flushed_in_pieces() {
    use crate::protocol::text::encode;
    let a = encode(&frame(0, b"hello"));
    let b = encode(&frame(FLAG_TRAILERS, b"grpc-status: 0"));
    let body = format!("{a}{b}");
    let format = BodyFormat {
        text: true,
        ..BodyFormat::default()
    };
    let split = body.len() / 2 + 1;
    let got = events(
        format.clone(),
        &[&body.as_bytes()[..split], &body.as_bytes()[split..]],
    )
    .unwrap();
    assert_eq!(
        got,
        [Event::Message(Bytes::from_static(b"hello")), ok_trailers()]
    );
    let s = events(format, &[b"AAAA*AAA"]).unwrap_err();
    assert_eq!(s.code(), Code::Internal);
}

#[test]
#[cfg(feature = "gzip")]
fn gzip_frames_and_the_compressed_trailer_frame() {
    use crate::protocol::compression::{compress, Compression};
    let gz = BodyFormat {
        text: false,
        encoding: Encoding::Known(Compression::Gzip),
    };
    let body = [
        frame(
            FLAG_COMPRESSED,
            &compress(Compression::Gzip, b"packed").unwrap(),
        ),
        frame(0, b"plain"),
        frame(
            FLAG_TRAILERS | FLAG_COMPRESSED,
            &compress(Compression::Gzip, b"grpc-status: 0").unwrap(),
        ),
    ]
    .concat();
    assert_eq!(
        events(gz.clone(), &[&body]).unwrap(),
        [
            Event::Message(Bytes::from_static(b"packed")),
            Event::Message(Bytes::from_static(b"plain")),
            ok_trailers()
        ]
    );

    // A bomb: 1 MiB of zeros in a few hundred bytes, against a 1 KiB limit.
    let bomb = frame(
        FLAG_COMPRESSED,
        &compress(Compression::Gzip, &[0; 1 << 20]).unwrap(),
    );
    let mut d = BodyDecoder::with_format(
        Limits {
            max_message_size: 1024,
            ..Limits::default()
        },
        gz,
    );
    d.push(&bomb).unwrap();
    assert_eq!(d.next_event().unwrap_err().code(), Code::ResourceExhausted);

    let unsupported = BodyFormat {
        text: false,
        encoding: Encoding::Unsupported("snappy".into()),
    };
    let s = events(unsupported, &[&frame(FLAG_COMPRESSED, b"x")]).unwrap_err();
    assert_eq!(s.code(), Code::Internal);
    assert!(s.message().contains("snappy"), "{s}");
}

#[cfg(all(not(target_arch = "wasm32"), feature = "gzip"))]
mod props {
    use super::*;
    use crate::protocol::base64;
    use crate::protocol::compression::{compress, Compression};
    use crate::protocol::text::encode;
    use proptest::prelude::*;

    /// Decodes as `Uint8Array.prototype.setFromBase64` does, segment by segment up to
    /// each padding run, the last one with `lastChunkHandling: "stop-before-partial"`;
    /// `None` where it would throw.
    fn browser_like(input: &[u8], out: &mut [u8]) -> Option<(usize, usize)> {
        let (mut read, mut written) = (0, 0);
        while read < input.len() {
            let rest = &input[read..];
            let (digits, end) = match rest.iter().position(|&c| c == b'=') {
                Some(p) => (
                    &rest[..p],
                    p + 1 + usize::from(rest.get(p + 1) == Some(&b'=')),
                ),
                None => (&rest[..rest.len() / 4 * 4], rest.len() / 4 * 4),
            };
            let padded = end > digits.len();
            if padded && digits.len() % 4 + (end - digits.len()) != 4 {
                return None;
            }
            let bytes = base64::decode_unpadded(digits).ok()?;
            out.get_mut(written..written + bytes.len())?
                .copy_from_slice(&bytes);
            written += bytes.len();
            read += end;
            if !padded {
                break;
            }
        }
        Some((read, written))
    }

    proptest! {
        /// Random messages, some gzip-compressed, then trailers; sent binary or as text
        /// with each frame base64-encoded on its own; split anywhere: the same events
        /// come out, in order.
        #[test]
        fn any_body_any_split(
            messages in prop::collection::vec((any::<bool>(), prop::collection::vec(any::<u8>(), 0..200)), 0..6),
            text in any::<bool>(),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
        ) {
            let mut frames: Vec<Vec<u8>> = messages.iter().map(|(packed, m)| {
                if *packed { frame(FLAG_COMPRESSED, &compress(Compression::Gzip, m).unwrap()) } else { frame(0, m) }
            }).collect();
            frames.push(frame(FLAG_TRAILERS, b"grpc-status: 0\r\nx-k: v"));
            let body: Vec<u8> = if text {
                frames.iter().map(|f| encode(f)).collect::<String>().into_bytes()
            } else {
                frames.concat()
            };
            let mut points: Vec<usize> = cuts.iter().map(|i| i.index(body.len() + 1)).collect();
            points.extend([0, body.len()]);
            points.sort_unstable();
            let chunks: Vec<&[u8]> = points.windows(2).map(|w| &body[w[0]..w[1]]).collect();

            let format = BodyFormat { text, encoding: Encoding::Known(Compression::Gzip) };
            let got = events(format, &chunks).unwrap();
            prop_assert_eq!(got.len(), messages.len() + 1);
            for (event, (_, m)) in got.iter().zip(&messages) {
                prop_assert_eq!(event, &Event::Message(Bytes::from(m.clone())));
            }
            let Some(Event::Trailers(t)) = got.last() else { panic!("no trailers") };
            prop_assert_eq!(t.get("x-k"), Some("v"));
        }

        /// Text bodies with padding mid-stream, split anywhere, with each chunk offered
        /// first to another decoder that works as the browser's does (it decodes up to
        /// each padding run, stops before a partial quantum at the end, and declines
        /// what it cannot read) or declines at random: the same events as `push` alone.
        #[test]
        fn text_direct_decoding_yields_the_same_events(
            messages in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..100), 0..5),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
            declines in prop::collection::vec(any::<bool>(), 12),
            garbage in prop::option::of((any::<prop::sample::Index>(), any::<prop::sample::Index>())),
        ) {
            let mut frames: Vec<Vec<u8>> = messages.iter().map(|m| frame(0, m)).collect();
            frames.push(frame(FLAG_TRAILERS, b"grpc-status: 0"));
            let mut body = frames.iter().map(|f| encode(f)).collect::<String>().into_bytes();
            if let Some((at, which)) = &garbage {
                let bytes = b"*= \n";
                body.insert(at.index(body.len() + 1), bytes[which.index(bytes.len())]);
            }
            let mut points: Vec<usize> = cuts.iter().map(|i| i.index(body.len() + 1)).collect();
            points.extend([0, body.len()]);
            points.sort_unstable();
            let chunks: Vec<&[u8]> = points.windows(2).map(|w| &body[w[0]..w[1]]).collect();

            let format = BodyFormat { text: true, ..BodyFormat::default() };
            let want = events(format.clone(), &chunks);
            let mut d = BodyDecoder::with_format(Limits::default(), format);
            let got = (|| {
                let mut out = Vec::new();
                for (i, c) in chunks.iter().enumerate() {
                    // As the transport does: a split quantum is ended first, by the Rust
                    // decoder, and the other decoder is offered the rest.
                    let lead = d.text_lead().min(c.len());
                    d.push(&c[..lead])?;
                    let c = &c[lead..];
                    let read = d.push_text_with(c.len(), |dst| {
                        if declines[i % declines.len()] { None } else { browser_like(c, dst) }
                    });
                    d.push(&c[read..])?;
                    while let Some(e) = d.next_event()? {
                        out.push(e);
                    }
                }
                d.finish()?;
                Ok::<_, Status>(out)
            })();
            match (want, got) {
                (Ok(want), Ok(got)) => prop_assert_eq!(want, got),
                (Err(want), Err(got)) => prop_assert_eq!(want.code(), got.code()),
                (want, got) => prop_assert!(false, "{:?} vs {:?}", want, got),
            }
        }

        /// A plain text body (no padding, no whitespace) cut anywhere: after its lead, every
        /// chunk but a few characters goes to the other decoder, however the cuts fall.
        #[test]
        fn a_split_quantum_leaves_only_its_characters_to_the_rust_decoder(
            message in prop::collection::vec(any::<u8>(), 2..300),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
        ) {
            // Frames of a length divisible by 3 encode without padding (the message keeps
            // at least one byte: its length minus at most 2).
            let message = &message[..message.len() - (message.len() + 5) % 3];
            let body = encode(&frame(0, message)).into_bytes();
            prop_assert!(!body.contains(&b'='));
            let mut points: Vec<usize> = cuts.iter().map(|i| i.index(body.len() + 1)).collect();
            points.extend([0, body.len()]);
            points.sort_unstable();
            let format = BodyFormat { text: true, ..BodyFormat::default() };
            let mut d = BodyDecoder::with_format(Limits::default(), format);
            let (mut by_rust, mut by_other) = (0, 0);
            for w in points.windows(2) {
                let c = &body[w[0]..w[1]];
                let lead = d.text_lead().min(c.len());
                prop_assert!(lead < 4);
                d.push(&c[..lead]).unwrap();
                let c = &c[lead..];
                let read = d.push_text_with(c.len(), |dst| browser_like(c, dst));
                d.push(&c[read..]).unwrap();
                by_rust += lead + c.len() - read;
                by_other += read;
            }
            // At most a partial quantum on each side of every cut.
            prop_assert!(by_rust <= 6 * (points.len() - 1), "{} of {}", by_rust, by_rust + by_other);
            prop_assert_eq!(d.next_event().unwrap(), Some(Event::Message(Bytes::copy_from_slice(message))));
        }

        /// Arbitrary bytes, binary or text, never panic the body decoder.
        #[test]
        fn garbage_never_panics(
            chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 0..12),
            text in any::<bool>(),
        ) {
            let format = BodyFormat { text, encoding: Encoding::Known(Compression::Gzip) };
            let chunks: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
            let _ = events(format, &chunks);
        }
    }
}
