//! A page's calls, tied to the page: each runs in a named lane, a new call in a lane stops
//! the one before it, and leaving the page stops them all. Stopping drops the call's future,
//! and with it the `Streaming`, which aborts the fetch: the server sees the client go.

use std::collections::HashMap;
use std::future::Future;

use futures_util::future::{abortable, AbortHandle};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The running calls of one page.
#[derive(Clone, Copy)]
pub struct Tasks {
    lanes: StoredValue<HashMap<&'static str, AbortHandle>>,
}

impl Tasks {
    /// Tasks of the page being built: stopped when its reactive owner is disposed.
    pub fn new() -> Tasks {
        let lanes = StoredValue::new(HashMap::<&'static str, AbortHandle>::new());
        on_cleanup(move || {
            lanes.try_update_value(|lanes| lanes.drain().for_each(|(_, h)| h.abort()));
        });
        Tasks { lanes }
    }

    /// Runs `task` in `lane`, stopping what ran there before.
    pub fn spawn(&self, lane: &'static str, task: impl Future<Output = ()> + 'static) {
        let (task, handle) = abortable(task);
        if let Some(previous) = self
            .lanes
            .try_update_value(|lanes| lanes.insert(lane, handle))
            .flatten()
        {
            previous.abort();
        }
        spawn_local(async move {
            let _ = task.await;
        });
    }

    /// Stops the call in `lane`, if one runs.
    pub fn stop(&self, lane: &'static str) {
        if let Some(handle) = self
            .lanes
            .try_update_value(|lanes| lanes.remove(lane))
            .flatten()
        {
            handle.abort();
        }
    }
}

/// Resolves after `ms` milliseconds (a browser timer). Dropping it early leaves the timer to
/// fire into nothing, which is harmless.
pub async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
