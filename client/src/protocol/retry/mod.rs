//! Retries and hedging (gRFC A6), as pure decisions: policies and their validation, backoff
//! with jitter, server pushback, throttling per target, the commit rule and the hedging
//! schedule, and service configs in JSON (feature `service-config`).
//!
//! The call machinery runs the attempts and owns the timers; everything it decides is
//! decided here, with time passed in, so it is tested on a fake clock.
//!
//! The commit rule: an attempt commits once its response headers arrive (a gRPC-Web reply
//! whose head carries no `grpc-status`; see
//! [`ReplyDecoder::headers_received`](crate::protocol::reply::ReplyDecoder::headers_received)),
//! or once it yields a message. From then on the call is that attempt's, whatever happens
//! next: a stream that fails later is not retried. Until then the request is kept, and a
//! failure (a network error, a trailers-only reply, a proxy's 502) may be retried.

mod backoff;
mod config;
mod hedging;
mod policy;
mod pushback;
mod retrying;
// Also built for the npm package, which reads service configs from JavaScript objects.
#[cfg(any(feature = "service-config", feature = "js-base"))]
mod service_config;
mod throttle;

pub use backoff::{Backoff, JITTER};
pub use config::{MethodConfig, RetryConfig};
pub use hedging::{HedgeVerdict, Hedging};
pub use policy::{HedgingPolicy, InvalidPolicy, Policy, RetryPolicy, MAX_ATTEMPTS_CAP};
pub use pushback::{Pushback, PUSHBACK_HEADER};
pub use retrying::{Decision, Retrying, Stop};
#[cfg(feature = "service-config")]
pub use service_config::parse_service_config;
#[cfg(feature = "js-base")]
pub(crate) use service_config::{read_service_config, JsonValue};
pub use throttle::Throttle;
