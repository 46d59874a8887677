//! Retries and hedging in the browser: runs the attempts of a call under a policy over the
//! ordinary call machinery and sleeps on timers; every decision is made by the pure
//! [`protocol::retry`](crate::protocol::retry) core.
//!
//! Calls over `fetch` (unary and server-streaming) follow the policies; client-streaming
//! and bidi calls over a WebSocket make one attempt, since their request is not buffered.

mod attempt;
mod hedge;
mod options;
mod timer;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use crate::call::{CallGuard, Outgoing};
use crate::client::Client;
use crate::protocol::reply::Cardinality;
use crate::protocol::retry::{
    Decision, MethodConfig, Policy, RetryConfig, RetryPolicy, Retrying, Throttle,
};
use crate::protocol::status::Status;
use crate::streaming::RawStream;
use attempt::{failure, Call, Outcome};

/// How [`call::start`](crate::call::start) begins a call once the client has a retry config:
/// a pointer the retry options install, so that only apps that set one link this module.
///
/// It takes its arguments as one [`StartArgs`], so its wasm signature is `(i32, i32)`. With
/// them spread out it was six `i32`s, and an indirect call of that type kept alive every
/// function of that type in the module's table: wasm-bindgen's closure shims for js-sys
/// methods no app calls (`forEach` of each typed array, `Set`, `Intl` ...), and, through
/// their own indirect calls, more of them. wasm-opt empties a table function only when no
/// indirect call could reach it; this pointer was the one call that could (1.9 KB of code
/// in the minimal app, `bench/FINDINGS.md`, session 11).
pub(crate) type Start =
    for<'a> fn(StartArgs<'a>) -> Pin<Box<dyn Future<Output = Result<RawStream, Status>> + 'a>>;

/// The arguments of a [`Start`]: those of [`call::start`](crate::call::start).
pub(crate) struct StartArgs<'a> {
    pub(crate) client: &'a Client,
    pub(crate) path: &'a str,
    pub(crate) request: Outgoing,
    pub(crate) cardinality: Cardinality,
}

/// The [`Start`] of a client with a retry config: the method's policy, or one attempt.
pub(crate) fn start_any(
    args: StartArgs<'_>,
) -> Pin<Box<dyn Future<Output = Result<RawStream, Status>> + '_>> {
    let StartArgs {
        client,
        path,
        request,
        cardinality,
    } = args;
    Box::pin(async move {
        match method_config(client, path) {
            Some(method) => start(client, path, request, cardinality, method).await,
            None => crate::call::start_once(client, path, request, cardinality).await,
        }
    })
}

/// The retry config of the method at `path`, if the client has one for it.
pub(crate) fn method_config(client: &Client, path: &str) -> Option<MethodConfig> {
    settings(client.config())?
        .config
        .as_ref()?
        .lookup(path)
        .cloned()
}

/// What the retry options add to a client ([`Config::retry`](crate::client::Config)).
#[derive(Clone, Default)]
pub(crate) struct Settings {
    /// Policies and timeouts by method; `None` when there are none.
    pub(crate) config: Option<Arc<RetryConfig>>,
    /// The retry throttle of this client's target, shared by its clones.
    pub(crate) throttle: Option<Arc<Mutex<Throttle>>>,
}

/// The client's retry settings, if its retry options were ever set.
pub(crate) fn settings(config: &crate::client::Config) -> Option<&Settings> {
    config.retry.as_deref()?.downcast_ref()
}

/// Starts a call under `method`'s policy and deadline; resolves as [`call::start`] does,
/// once an attempt committed, or with the last attempt's failure.
///
/// [`call::start`]: crate::call::start
pub(crate) async fn start(
    client: &Client,
    path: &str,
    request: Outgoing,
    cardinality: Cardinality,
    method: MethodConfig,
) -> Result<RawStream, Status> {
    let mut guard = CallGuard::new(client, path);
    let outcome = match Call::new(client, path, request, cardinality, method.timeout) {
        Err(status) => Err(status),
        Ok((call, head)) => match method.policy {
            None => {
                let outcome = call.attempt(head).await;
                match outcome {
                    Outcome::Committed(raw) => Ok(raw),
                    Outcome::Failed(status, raw) => failure(status, raw),
                }
            }
            Some(Policy::Retry(policy)) => retry(&call, head, policy, &mut guard).await,
            Some(Policy::Hedging(policy)) => hedge::run(&call, head, policy, &mut guard).await,
        },
    };
    match outcome {
        Ok(mut raw) => {
            raw.adopt(guard);
            Ok(raw)
        }
        Err(status) => {
            guard.end(&status);
            Err(status)
        }
    }
}

/// One attempt at a time, each after the backoff (or pushback) of the one before.
async fn retry(
    call: &Call<'_>,
    mut head: crate::interceptor::RequestHead,
    policy: RetryPolicy,
    guard: &mut CallGuard,
) -> Result<RawStream, Status> {
    let mut retrying = Retrying::new(policy, call.deadline);
    loop {
        let number = retrying.attempts();
        guard.set_attempts(number);
        let (status, raw) = match call.attempt(head).await {
            Outcome::Committed(raw) => {
                call.record_success();
                return Ok(raw);
            }
            Outcome::Failed(status, raw) => (status, raw),
        };
        let decision = {
            let mut throttle = call.throttle();
            let now = call.elapsed();
            let random = js_sys::Math::random();
            retrying.on_failure(
                status.code(),
                status.metadata(),
                now,
                throttle.as_deref_mut(),
                random,
            )
        };
        let Decision::RetryAfter(delay) = decision else {
            return failure(status, raw);
        };
        call.report(number, &status, Some(delay));
        drop(raw);
        call.pause(delay).await;
        if let Some(status) = call.cancelled() {
            return Err(status);
        }
        head = call.head(number)?;
    }
}
