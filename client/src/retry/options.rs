//! The retry options of a [`Client`]: policies for every method or some, throttling, and
//! gRPC service configs.

use std::sync::{Arc, Mutex};

use super::Settings;
use crate::client::{Client, Config};
use crate::protocol::retry::{InvalidPolicy, Policy, RetryConfig, Throttle};

impl Client {
    /// Retries (or hedges) every call over `fetch` under `policy`, unless a method has a
    /// policy of its own ([`method_policy`](Self::method_policy)).
    ///
    /// ```
    /// use std::time::Duration;
    /// use grpc_web_wasm::protocol::retry::RetryPolicy;
    /// use grpc_web_wasm::{Client, Code};
    ///
    /// let policy = RetryPolicy::new(
    ///     4,
    ///     Duration::from_millis(100),
    ///     Duration::from_secs(1),
    ///     2.0,
    ///     &[Code::Unavailable],
    /// )
    /// .unwrap();
    /// let client = Client::new("https://api.example.com").retry_policy(policy);
    /// ```
    pub fn retry_policy(self, policy: impl Into<Policy>) -> Client {
        self.method_policy("", policy)
            .unwrap_or_else(|_| unreachable!("the empty name is the default scope"))
    }

    /// A policy for one method (`/pkg.Service/Method`) or a whole service
    /// (`pkg.Service`); the most specific applies. Hedge only idempotent methods.
    pub fn method_policy(
        self,
        method: &str,
        policy: impl Into<Policy>,
    ) -> Result<Client, InvalidPolicy> {
        let mut retry = super::settings(self.config())
            .and_then(|s| s.config.as_deref())
            .cloned()
            .unwrap_or_default();
        let mut config = retry.get(method)?.cloned().unwrap_or_default();
        config.policy = Some(policy.into());
        retry.set(method, config)?;
        Ok(self.with(|c| update(c, |s| s.config = Some(Arc::new(retry)))))
    }

    /// Throttles retries and hedges (gRFC A6): each failed attempt costs a token, each
    /// success gives `token_ratio` back, and while at most half of `max_tokens` are left no
    /// call is retried. The bucket is shared by this client and its clones.
    pub fn retry_throttling(
        self,
        max_tokens: u32,
        token_ratio: f64,
    ) -> Result<Client, InvalidPolicy> {
        let throttle = Throttle::new(max_tokens, token_ratio)?;
        Ok(self.with(|c| update(c, |s| s.throttle = Some(Arc::new(Mutex::new(throttle))))))
    }

    /// Replaces the retry configuration: policies and timeouts by method, and throttling.
    pub fn retry_config(self, config: RetryConfig) -> Client {
        let throttle = config
            .throttling()
            .cloned()
            .map(|t| Arc::new(Mutex::new(t)));
        self.with(|c| {
            update(c, |s| {
                s.throttle = throttle;
                s.config = (!config.is_empty()).then(|| Arc::new(config));
            })
        })
    }

    /// Takes policies, timeouts and throttling from a gRPC service config in JSON
    /// (`methodConfig`, `retryThrottling`), replacing earlier ones; see
    /// [`parse_service_config`](crate::protocol::retry::parse_service_config).
    #[cfg(feature = "service-config")]
    pub fn service_config(self, json: &str) -> Result<Client, InvalidPolicy> {
        Ok(self.retry_config(crate::protocol::retry::parse_service_config(json)?))
    }
}

/// Changes the client's retry settings, and with them the start that follows them.
fn update(config: &mut Config, change: impl FnOnce(&mut Settings)) {
    let mut settings = super::settings(config).cloned().unwrap_or_default();
    change(&mut settings);
    config.retry_start = settings
        .config
        .as_ref()
        .map(|_| super::start_any as super::Start);
    config.retry = Some(Arc::new(settings));
}
