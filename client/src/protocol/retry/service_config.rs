//! A gRPC service config in JSON (`methodConfig` with `name`, `retryPolicy`,
//! `hedgingPolicy` and `timeout`; `retryThrottling`), as other gRPC clients accept it.
//! Fields this client does not use (`waitForReady`, `loadBalancingConfig`, message size
//! limits) are ignored; the fields it uses are checked as gRFC A6 asks.

use std::time::Duration;

use serde_json::{Map, Value};

use super::config::{MethodConfig, RetryConfig};
use super::policy::{HedgingPolicy, InvalidPolicy, Policy, RetryPolicy};
use super::throttle::Throttle;
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
pub fn parse_service_config(json: &str) -> Result<RetryConfig, InvalidPolicy> {
    let value: Value = serde_json::from_str(json)
        .map_err(|e| InvalidPolicy::new(format!("service config is not JSON: {e}")))?;
    let root = object(&value, "service config")?;
    let mut config = RetryConfig::new();
    for entry in array(root.get("methodConfig"), "methodConfig")? {
        let entry = object(entry, "methodConfig entry")?;
        let method = method_config(entry)?;
        let names = array(entry.get("name"), "name")?;
        if names.is_empty() {
            return Err(InvalidPolicy::new("a methodConfig entry has no name"));
        }
        for name in names {
            config.add(&name_of(name)?, method.clone())?;
        }
    }
    if let Some(t) = root.get("retryThrottling") {
        let t = object(t, "retryThrottling")?;
        let max = number(t.get("maxTokens"), "maxTokens")?;
        let ratio = number(t.get("tokenRatio"), "tokenRatio")?;
        if max.fract() != 0.0 || !(0.0..=u32::MAX as f64).contains(&max) {
            return Err(InvalidPolicy::new("maxTokens must be an integer"));
        }
        config.set_throttling(Throttle::new(max as u32, ratio)?);
    }
    Ok(config)
}

fn method_config(entry: &Map<String, Value>) -> Result<MethodConfig, InvalidPolicy> {
    let timeout = entry
        .get("timeout")
        .map(|t| duration(Some(t), "timeout"))
        .transpose()?;
    let policy = match (entry.get("retryPolicy"), entry.get("hedgingPolicy")) {
        (Some(_), Some(_)) => {
            return Err(InvalidPolicy::new(
                "a methodConfig entry has both retryPolicy and hedgingPolicy",
            ))
        }
        (Some(p), None) => Some(Policy::Retry(retry_policy(object(p, "retryPolicy")?)?)),
        (None, Some(p)) => Some(Policy::Hedging(hedging_policy(object(
            p,
            "hedgingPolicy",
        )?)?)),
        (None, None) => None,
    };
    Ok(MethodConfig { policy, timeout })
}

fn retry_policy(p: &Map<String, Value>) -> Result<RetryPolicy, InvalidPolicy> {
    RetryPolicy::new(
        attempts(p.get("maxAttempts"))?,
        duration(p.get("initialBackoff"), "initialBackoff")?,
        duration(p.get("maxBackoff"), "maxBackoff")?,
        number(p.get("backoffMultiplier"), "backoffMultiplier")?,
        &codes(p.get("retryableStatusCodes"), "retryableStatusCodes")?,
    )
}

fn hedging_policy(p: &Map<String, Value>) -> Result<HedgingPolicy, InvalidPolicy> {
    let delay = match p.get("hedgingDelay") {
        Some(d) => duration(Some(d), "hedgingDelay")?,
        None => Duration::ZERO,
    };
    let codes = match p.get("nonFatalStatusCodes") {
        Some(c) => codes(Some(c), "nonFatalStatusCodes")?,
        None => Vec::new(),
    };
    HedgingPolicy::new(attempts(p.get("maxAttempts"))?, delay, &codes)
}

/// `{"service": "pkg.S", "method": "M"}` as a path-like name for [`RetryConfig::add`].
fn name_of(name: &Value) -> Result<String, InvalidPolicy> {
    let name = object(name, "name")?;
    let field = |key: &str| match name.get(key) {
        None | Some(Value::Null) => Ok(""),
        Some(Value::String(s)) => Ok(s.as_str()),
        Some(_) => Err(InvalidPolicy::new(format!("name.{key} must be a string"))),
    };
    let (service, method) = (field("service")?, field("method")?);
    if service.contains('/') || method.contains('/') {
        return Err(InvalidPolicy::new(
            "a name's service and method hold no '/'",
        ));
    }
    Ok(match (service, method) {
        (s, "") => s.to_owned(),
        (s, m) => format!("/{s}/{m}"),
    })
}

fn attempts(v: Option<&Value>) -> Result<u32, InvalidPolicy> {
    let n = number(v, "maxAttempts")?;
    if n.fract() != 0.0 || n < 0.0 {
        return Err(InvalidPolicy::new("maxAttempts must be an integer"));
    }
    // `as` saturates; the policy caps attempts at 5 anyway.
    Ok(n as u32)
}

fn codes(v: Option<&Value>, field: &str) -> Result<Vec<Code>, InvalidPolicy> {
    array(v, field)?
        .iter()
        .map(|c| match c {
            Value::String(name) => (0..=16)
                .map(Code::from_i32)
                .find(|code| code.as_str().eq_ignore_ascii_case(name))
                .ok_or_else(|| InvalidPolicy::new(format!("{field}: unknown code {name:?}"))),
            Value::Number(n) => match n.as_i64() {
                Some(i @ 0..=16) => Ok(Code::from_i32(i as i32)),
                _ => Err(InvalidPolicy::new(format!("{field}: unknown code {n}"))),
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
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || frac.len() > 9 {
        return None;
    }
    let secs: u64 = whole.parse().ok()?;
    let nanos: u32 = format!("{frac:0<9}").parse().ok()?;
    Some(Duration::new(secs, nanos))
}

fn duration(v: Option<&Value>, field: &str) -> Result<Duration, InvalidPolicy> {
    match v {
        Some(Value::String(s)) => parse_duration(s).ok_or_else(|| {
            InvalidPolicy::new(format!("{field}: {s:?} is not a duration like \"0.5s\""))
        }),
        _ => Err(InvalidPolicy::new(format!(
            "{field} must be a duration string like \"0.5s\""
        ))),
    }
}

fn number(v: Option<&Value>, field: &str) -> Result<f64, InvalidPolicy> {
    v.and_then(Value::as_f64)
        .ok_or_else(|| InvalidPolicy::new(format!("{field} must be a number")))
}

fn object<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, InvalidPolicy> {
    v.as_object()
        .ok_or_else(|| InvalidPolicy::new(format!("{what} must be an object")))
}

fn array<'a>(v: Option<&'a Value>, field: &str) -> Result<&'a [Value], InvalidPolicy> {
    match v {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(InvalidPolicy::new(format!("{field} must be an array"))),
    }
}

#[cfg(test)]
mod tests;
