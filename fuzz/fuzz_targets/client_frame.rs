//! `FrameDecoder` over any chunking of any body: the frames (or the error) must not
//! depend on how the body was cut, and memory must grow with the bytes that arrived,
//! never with what a length prefix claims (the limit here is 1 GiB).
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use grpc_web_wasm::protocol::frame::{Frame, FrameDecoder, FrameError};
use libfuzzer_sys::fuzz_target;

/// Counts live heap bytes and their peak, so the harness can check a budget.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const LIMIT: usize = 1 << 30;

/// Decodes `body` pushed in the chunks `cuts` gives; all frames, then the end check.
fn decode(body: &[u8], cuts: &[u8]) -> (Vec<Frame>, Option<FrameError>) {
    let mut d = FrameDecoder::new(LIMIT, LIMIT);
    let mut frames = Vec::new();
    let mut rest = body;
    let mut cuts = cuts.iter().cycle();
    while !rest.is_empty() {
        let n = (usize::from(*cuts.next().unwrap_or(&255)) + 1).min(rest.len());
        d.push(&rest[..n]);
        rest = &rest[n..];
        loop {
            match d.next_frame() {
                Ok(Some(f)) => frames.push(f),
                Ok(None) => break,
                Err(e) => return (frames, Some(e)),
            }
        }
    }
    (frames, d.finish().err())
}

fuzz_target!(|data: &[u8]| {
    let Some((&n_cuts, rest)) = data.split_first() else {
        return;
    };
    let (cuts, body) = rest.split_at(usize::from(n_cuts).min(rest.len()));
    let whole = decode(body, &[255; 1]);
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let chunked = decode(body, if cuts.is_empty() { &[0] } else { cuts });
    let peak = PEAK.load(Ordering::Relaxed) - base;
    assert_eq!(whole.0, chunked.0, "frames depend on the chunking");
    assert_eq!(
        whole.1.is_some(),
        chunked.1.is_some(),
        "the outcome depends on the chunking"
    );
    // The frames and the buffer hold at most the body a few times over, plus what the
    // decoder may reserve ahead (64 KiB) and the allocator's rounding.
    let budget = 4 * body.len() + 256 * 1024;
    assert!(
        peak <= budget,
        "{peak} bytes allocated for a {}-byte body",
        body.len()
    );
});
