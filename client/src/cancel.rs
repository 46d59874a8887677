//! [`CancelHandle`]: cancel a call from elsewhere in the program.

use web_sys::{AbortController, AbortSignal};

/// Cancels the calls it is attached to, at any point, with `CANCELLED`.
///
/// It is a thin wrapper over an `AbortController`; any `AbortSignal` can be given to
/// [`Request::set_signal`](crate::Request::set_signal) instead.
///
/// ```no_run
/// use grpc_web_wasm::{CancelHandle, Request};
/// # let message = ();
/// let cancel = CancelHandle::new();
/// let mut request = Request::new(message);
/// request.set_signal(cancel.signal());
/// // ... later, from a button handler:
/// cancel.cancel();
/// ```
#[derive(Debug, Clone)]
pub struct CancelHandle {
    controller: AbortController,
}

impl CancelHandle {
    /// A fresh handle.
    ///
    /// # Panics
    /// Outside a JavaScript environment with `AbortController` (every browser and worker has it).
    pub fn new() -> CancelHandle {
        CancelHandle {
            controller: AbortController::new().expect("AbortController is available"),
        }
    }

    /// The signal to attach to requests.
    pub fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// Cancels every call attached to this handle. Idempotent.
    pub fn cancel(&self) {
        self.controller.abort();
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.controller.signal().aborted()
    }
}

impl Default for CancelHandle {
    fn default() -> CancelHandle {
        CancelHandle::new()
    }
}
