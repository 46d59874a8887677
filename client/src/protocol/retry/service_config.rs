//! A gRPC service config in JSON (`methodConfig` with `name`, `retryPolicy`,
//! `hedgingPolicy` and `timeout`; `retryThrottling`), as other gRPC clients accept it.
//! Fields this client does not use (`waitForReady`, `loadBalancingConfig`, message size
//! limits) are ignored; the fields it uses are checked as gRFC A6 asks.
//!
//! The reading is over `JsonValue`: serde_json's values for Rust (feature
//! `service-config`), JavaScript's for the npm package, which so needs no JSON parser of
//! its own (serde_json was a quarter of its core module).

use std::time::Duration;

use super::config::{MethodConfig, RetryConfig};
use super::policy::{HedgingPolicy, InvalidPolicy, Policy, RetryPolicy};
use super::throttle::Throttle;
use crate::protocol::quoted::Quoted;
use crate::protocol::status::Code;

/// Parses a service config.
///
/// ```
/// use grpc_web_wasm::protocol::retry::parse_service_config;
///
/// let config = parse_service_config(r#"{
///   "methodConfig": [{
///     "name": [{ "service": "demo.v1.UserService" }],
///     "timeout": "5s",
///     "retryPolicy": {
///       "maxAttempts": 4, "initialBackoff": "0.1s", "maxBackoff": "1s",
///       "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]
///     }
///   }],
///   "retryThrottling": { "maxTokens": 10, "tokenRatio": 0.1 }
/// }"#).unwrap();
/// assert!(config.lookup("/demo.v1.UserService/GetUser").is_some());
/// ```
#[cfg(feature = "service-config")]
pub fn parse_service_config(json: &str) -> Result<RetryConfig, InvalidPolicy> {
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| InvalidPolicy::new(format!("service config is not JSON: {e}")))?;
    read_service_config(&&value)
}

/// A JSON value, as the service config reader walks it.
pub(crate) trait JsonValue: Sized {
    /// The field `key`; `None` when missing or when this is no object.
    fn field(&self, key: &str) -> Option<Self>;
    /// Whether this is an object (not an array, not null).
    fn is_object(&self) -> bool;
    /// The items of an array; `None` when this is no array.
    fn items(&self) -> Option<Vec<Self>>;
    /// A number's value.
    fn number(&self) -> Option<f64>;
    /// A number written as an integer (`2`, not `2.0` or `2.5`).
    fn integer(&self) -> Option<i64>;
    /// A string's text.
    fn text(&self) -> Option<String>;
    /// Whether this is `null`.
    fn is_null(&self) -> bool;
}

#[cfg(feature = "service-config")]
impl JsonValue for &serde_json::Value {
    fn field(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key)
    }
    fn is_object(&self) -> bool {
        serde_json::Value::is_object(self)
    }
    fn items(&self) -> Option<Vec<Self>> {
        Some(self.as_array()?.iter().collect())
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn integer(&self) -> Option<i64> {
        self.as_i64()
    }
    fn text(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn is_null(&self) -> bool {
        serde_json::Value::is_null(self)
    }
}

/// Reads a service config from a parsed JSON value.
pub(crate) fn read_service_config<V: JsonValue>(value: &V) -> Result<RetryConfig, InvalidPolicy> {
    let root = object(value, "service config")?;
    let mut config = RetryConfig::new();
    for entry in array(root.field("methodConfig"), "methodConfig")? {
        let entry = object(&entry, "methodConfig entry")?;
        let method = method_config(entry)?;
        let names = array(entry.field("name"), "name")?;
        if names.is_empty() {
            return Err(InvalidPolicy::new("a methodConfig entry has no name"));
        }
        for name in names {
            config.add(&name_of(&name)?, method.clone())?;
        }
    }
    if let Some(t) = root.field("retryThrottling") {
        let t = object(&t, "retryThrottling")?;
        let max = number(t.field("maxTokens"), "maxTokens")?;
        let ratio = number(t.field("tokenRatio"), "tokenRatio")?;
        if max.fract() != 0.0 || !(0.0..=u32::MAX as f64).contains(&max) {
            return Err(InvalidPolicy::new("maxTokens must be an integer"));
        }
        config.set_throttling(Throttle::new(max as u32, ratio)?);
    }
    Ok(config)
}

fn method_config<V: JsonValue>(entry: &V) -> Result<MethodConfig, InvalidPolicy> {
    let timeout = entry
        .field("timeout")
        .map(|t| duration(Some(t), "timeout"))
        .transpose()?;
    let policy = match (entry.field("retryPolicy"), entry.field("hedgingPolicy")) {
        (Some(_), Some(_)) => {
            return Err(InvalidPolicy::new(
                "a methodConfig entry has both retryPolicy and hedgingPolicy",
            ))
        }
        (Some(p), None) => Some(Policy::Retry(retry_policy(object(&p, "retryPolicy")?)?)),
        (None, Some(p)) => Some(Policy::Hedging(hedging_policy(object(
            &p,
            "hedgingPolicy",
        )?)?)),
        (None, None) => None,
    };
    Ok(MethodConfig { policy, timeout })
}

fn retry_policy<V: JsonValue>(p: &V) -> Result<RetryPolicy, InvalidPolicy> {
    RetryPolicy::new(
        attempts(p.field("maxAttempts"))?,
        duration(p.field("initialBackoff"), "initialBackoff")?,
        duration(p.field("maxBackoff"), "maxBackoff")?,
        number(p.field("backoffMultiplier"), "backoffMultiplier")?,
        &codes(p.field("retryableStatusCodes"), "retryableStatusCodes")?,
    )
}

fn hedging_policy<V: JsonValue>(p: &V) -> Result<HedgingPolicy, InvalidPolicy> {
    let delay = match p.field("hedgingDelay") {
        Some(d) => duration(Some(d), "hedgingDelay")?,
        None => Duration::ZERO,
    };
    let codes = match p.field("nonFatalStatusCodes") {
        Some(c) => codes(Some(c), "nonFatalStatusCodes")?,
        None => Vec::new(),
    };
    HedgingPolicy::new(attempts(p.field("maxAttempts"))?, delay, &codes)
}

/// `{"service": "pkg.S", "method": "M"}` as a path-like name for [`RetryConfig::add`].
fn name_of<V: JsonValue>(name: &V) -> Result<String, InvalidPolicy> {
    let name = object(name, "name")?;
    let field = |key: &str| match name.field(key) {
        None => Ok(String::new()),
        Some(v) if v.is_null() => Ok(String::new()),
        Some(v) => v
            .text()
            .ok_or_else(|| InvalidPolicy::new(format!("name.{key} must be a string"))),
    };
    let (service, method) = (field("service")?, field("method")?);
    if service.contains('/') || method.contains('/') {
        return Err(InvalidPolicy::new(
            "a name's service and method hold no '/'",
        ));
    }
    Ok(match (service, method.as_str()) {
        (s, "") => s,
        (s, m) => format!("/{s}/{m}"),
    })
}

fn attempts<V: JsonValue>(v: Option<V>) -> Result<u32, InvalidPolicy> {
    let n = number(v, "maxAttempts")?;
    if n.fract() != 0.0 || n < 0.0 {
        return Err(InvalidPolicy::new("maxAttempts must be an integer"));
    }
    // `as` saturates; the policy caps attempts at 5 anyway.
    Ok(n as u32)
}

fn codes<V: JsonValue>(v: Option<V>, field: &str) -> Result<Vec<Code>, InvalidPolicy> {
    array(v, field)?
        .iter()
        .map(|c| match (c.text(), c.number()) {
            (Some(name), _) => (0..=16)
                .map(Code::from_i32)
                .find(|code| code.as_str().eq_ignore_ascii_case(&name))
                .ok_or_else(|| {
                    InvalidPolicy::new(format!("{field}: unknown code {}", Quoted(&name)))
                }),
            // No `{f64}` in messages: formatting one links several KB of float printing.
            (None, Some(_)) => match c.integer() {
                Some(i @ 0..=16) => Ok(Code::from_i32(i as i32)),
                Some(i) => Err(InvalidPolicy::new(format!("{field}: unknown code {i}"))),
                None => Err(InvalidPolicy::new(format!(
                    "{field}: codes are whole numbers from 0 to 16"
                ))),
            },
            _ => Err(InvalidPolicy::new(format!(
                "{field} holds names or numbers"
            ))),
        })
        .collect()
}

/// A protobuf JSON duration: decimal seconds with an `s`, e.g. `"0.25s"`; not negative.
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let digits = text.strip_suffix('s')?;
    let (whole, frac) = crate::protocol::ascii::split_once(digits, b'.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || frac.len() > 9 {
        return None;
    }
    let secs: u64 = whole.parse().ok()?;
    let nanos: u32 = format!("{frac:0<9}").parse().ok()?;
    Some(Duration::new(secs, nanos))
}

fn duration<V: JsonValue>(v: Option<V>, field: &str) -> Result<Duration, InvalidPolicy> {
    match v.and_then(|v| v.text()) {
        Some(s) => parse_duration(&s).ok_or_else(|| {
            InvalidPolicy::new(format!(
                "{field}: {} is not a duration like \"0.5s\"",
                Quoted(&s)
            ))
        }),
        _ => Err(InvalidPolicy::new(format!(
            "{field} must be a duration string like \"0.5s\""
        ))),
    }
}

fn number<V: JsonValue>(v: Option<V>, field: &str) -> Result<f64, InvalidPolicy> {
    v.and_then(|v| v.number())
        .ok_or_else(|| InvalidPolicy::new(format!("{field} must be a number")))
}

fn object<'a, V: JsonValue>(v: &'a V, what: &str) -> Result<&'a V, InvalidPolicy> {
    if v.is_object() {
        Ok(v)
    } else {
        Err(InvalidPolicy::new(format!("{what} must be an object")))
    }
}

fn array<V: JsonValue>(v: Option<V>, field: &str) -> Result<Vec<V>, InvalidPolicy> {
    match v {
        None => Ok(Vec::new()),
        Some(v) => v
            .items()
            .ok_or_else(|| InvalidPolicy::new(format!("{field} must be an array"))),
    }
}

#[cfg(all(test, feature = "service-config"))]
mod tests;
