//! The workload loops of the Rust contenders (`bench-ours`, `bench-tonic-web`). Each contender
//! supplies one call; the loops time and check it identically, so differences between
//! contenders are the clients' and not the harness's.
//!
//! Every loop checks what came back (payload sizes, message counts) and fails otherwise: a
//! benchmark of a call that silently failed would measure nothing.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::future::Future;

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Milliseconds on the page's monotonic clock (`performance.now()`).
pub fn now() -> f64 {
    performance_now()
}

/// A failure as the JS harness sees it.
pub fn fail(msg: impl std::fmt::Display) -> JsValue {
    JsValue::from_str(&msg.to_string())
}

/// `n` sequential calls; the latency of each, in ms. `call` yields the payload size received.
pub async fn unary_seq<F, Fut>(n: u32, expect: usize, mut call: F) -> Result<Vec<f64>, JsValue>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<usize, String>>,
{
    let mut times = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let start = now();
        let got = call().await.map_err(fail)?;
        times.push(now() - start);
        check_size(got, expect)?;
    }
    Ok(times)
}

/// `total` calls with `inflight` running at once; the elapsed time, in ms.
pub async fn unary_concurrent<F, Fut>(
    total: u32,
    inflight: u32,
    expect: usize,
    call: F,
) -> Result<f64, JsValue>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<usize, String>>,
{
    let issued = Cell::new(0u32);
    let worker = || async {
        while issued.get() < total {
            issued.set(issued.get() + 1);
            let got = call().await.map_err(fail)?;
            check_size(got, expect)?;
        }
        Ok::<(), JsValue>(())
    };
    let start = now();
    let results = futures_util::future::join_all((0..inflight).map(|_| worker())).await;
    let elapsed = now() - start;
    results.into_iter().collect::<Result<Vec<()>, JsValue>>()?;
    Ok(elapsed)
}

fn check_size(got: usize, expect: usize) -> Result<(), JsValue> {
    if got == expect {
        Ok(())
    } else {
        Err(fail(format!("payload of {got} bytes, asked for {expect}")))
    }
}

/// Counts a stream's messages and times its first message and its end.
#[derive(Debug)]
pub struct Tally {
    start: f64,
    first: Option<f64>,
    messages: u64,
    bytes: u64,
}

impl Tally {
    /// Starts the clock: call it just before the call is made.
    pub fn start() -> Tally {
        Tally {
            start: now(),
            first: None,
            messages: 0,
            bytes: 0,
        }
    }

    /// One message with a payload of `len` bytes arrived.
    pub fn message(&mut self, len: usize) {
        if self.first.is_none() {
            self.first = Some(now() - self.start);
        }
        self.messages += 1;
        self.bytes += len as u64;
    }

    /// Stops the clock: `[time to first message ms, total ms, messages, payload bytes]`,
    /// after checking that `count` messages of `size` bytes arrived.
    pub fn finish(self, count: u32, size: usize) -> Result<Vec<f64>, JsValue> {
        let total = now() - self.start;
        let want = u64::from(count) * size as u64;
        if self.messages != u64::from(count) || self.bytes != want {
            return Err(fail(format!(
                "stream gave {} messages / {} bytes, asked for {count} / {want}",
                self.messages, self.bytes
            )));
        }
        Ok(vec![
            self.first.unwrap_or(total),
            total,
            self.messages as f64,
            self.bytes as f64,
        ])
    }
}
