//! Reporting a call's end to the client's interceptors ([`CallGuard`]), and what else a
//! client with interceptors does differently ([`Hooks`]). Both are reached only through
//! pointers that [`Client::interceptor`](crate::Client::interceptor) sets, so an app that
//! never adds an interceptor links none of it (267 B gzipped of the minimal app, the
//! interceptor list's drop and the `Date.now` import included; `bench/FINDINGS.md`,
//! session 11).

use std::sync::Arc;
use std::time::Duration;

use super::head::{request_head, HeadOf};
use crate::client::Client;
use crate::interceptor::{CallEnd, Interceptor, RequestHead};
use crate::protocol::metadata::MetadataMap;
use crate::protocol::status::{Code, Status};

/// What a client with interceptors does differently. Each pointer takes one argument, so
/// its wasm signature is `(i32, i32)`: see [`Start`](crate::retry::Start) for what a
/// rarer one kept alive.
pub(crate) struct Hooks {
    /// The call's head, through the interceptors.
    pub(crate) head: fn(&HeadOf<'_>) -> Result<RequestHead, Status>,
    /// The guard that reports the call's end to them.
    pub(crate) guard: fn(&CallOf<'_>) -> CallGuard,
}

/// The [`Hooks`] of every client with interceptors.
pub(crate) static HOOKS: Hooks = Hooks {
    head: |of| request_head(of.client, of.path, of.request),
    guard: reporting,
};

/// The arguments of [`Hooks::guard`].
pub(crate) struct CallOf<'a> {
    client: &'a Client,
    path: &'a str,
}

/// Reports a call's end to the client's interceptors exactly once; a call dropped before
/// its end reports `CANCELLED`. Empty for a client without interceptors.
pub(crate) struct CallGuard(Option<Box<dyn Report>>);

/// A guard's reporting, behind a vtable only [`reporting`] makes.
trait Report {
    fn set_attempts(&mut self, attempts: u32);
    fn end(&mut self, status: &Status);
    fn end_ok(&mut self, trailers: &MetadataMap);
}

impl CallGuard {
    /// The guard of a call to `path` on `client`.
    pub(crate) fn new(client: &Client, path: &str) -> CallGuard {
        match client.config().hooks {
            Some(hooks) => (hooks.guard)(&CallOf { client, path }),
            None => CallGuard(None),
        }
    }

    /// A guard that reports nothing: one attempt's, until it wins and takes the call's.
    pub(crate) fn detached() -> CallGuard {
        CallGuard(None)
    }

    /// How many attempts the call made, reported with its end.
    pub(crate) fn set_attempts(&mut self, attempts: u32) {
        if let Some(report) = &mut self.0 {
            report.set_attempts(attempts);
        }
    }

    /// Reports `status` as the call's end, unless an end was reported already.
    pub(crate) fn end(&mut self, status: &Status) {
        if let Some(report) = &mut self.0 {
            report.end(status);
        }
    }

    /// [`end`](Self::end) with an OK status carrying `trailers`, made only if there is
    /// someone to report it to.
    pub(crate) fn end_ok(&mut self, trailers: &MetadataMap) {
        if let Some(report) = &mut self.0 {
            report.end_ok(trailers);
        }
    }
}

/// [`Hooks::guard`]: a guard reporting to the client's interceptors.
fn reporting(of: &CallOf<'_>) -> CallGuard {
    let Some(interceptors) = of.client.config().interceptor_list() else {
        return CallGuard(None);
    };
    CallGuard(Some(Box::new(Reporter {
        interceptors: interceptors.clone(),
        path: of.path.to_owned(),
        started: js_sys::Date::now(),
        ended: false,
        attempts: 1,
    })))
}

struct Reporter {
    interceptors: Arc<[Arc<dyn Interceptor>]>,
    path: String,
    started: f64,
    ended: bool,
    attempts: u32,
}

impl Report for Reporter {
    fn set_attempts(&mut self, attempts: u32) {
        self.attempts = attempts;
    }

    fn end(&mut self, status: &Status) {
        if std::mem::replace(&mut self.ended, true) {
            return;
        }
        // Whole microseconds: `as` saturates (a clock step back gives zero), and unlike
        // `from_secs_f64` it links no panic path.
        let elapsed = Duration::from_micros(((js_sys::Date::now() - self.started) * 1000.0) as u64);
        let end = CallEnd {
            path: &self.path,
            status,
            elapsed,
            attempts: self.attempts,
        };
        for i in self.interceptors.iter() {
            i.on_end(&end);
        }
    }

    fn end_ok(&mut self, trailers: &MetadataMap) {
        self.end(&Status::new(Code::Ok, "").carrying_metadata(trailers.clone()));
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        if !self.ended {
            self.end(&Status::new(Code::Cancelled, "call dropped before its end"));
        }
    }
}
