//! The retry options of `ClientOptions`: `serviceConfig` (a gRPC service config, as JSON
//! text or as an object), or `retryPolicy` / `hedgingPolicy` for every method and
//! `retryThrottling`, shaped as in a service config.

use js_sys::{Object, JSON};
use wasm_bindgen::JsValue;

use super::interop::{get, invalid};
use crate::client::Client;
use crate::protocol::status::Status;

/// The option names this module reads.
pub const OPTIONS: [&str; 4] = [
    "serviceConfig",
    "retryPolicy",
    "hedgingPolicy",
    "retryThrottling",
];

/// Applies the retry options of `options` to `client`.
pub fn configure(client: Client, options: &Object) -> Result<Client, Status> {
    let [config, retry, hedging, throttling] = OPTIONS.map(|key| get(options, key));
    let json = if !config.is_undefined() {
        if !(retry.is_undefined() && hedging.is_undefined() && throttling.is_undefined()) {
            return Err(invalid(
                "give serviceConfig, or retryPolicy / hedgingPolicy / retryThrottling, not both",
            ));
        }
        match config.as_string() {
            Some(text) => text,
            None => json(&config, "serviceConfig")?,
        }
    } else {
        let mut method = String::new();
        for (value, key) in [(&retry, "retryPolicy"), (&hedging, "hedgingPolicy")] {
            if !value.is_undefined() {
                method.push_str(&format!(",\"{key}\":{}", json(value, key)?));
            }
        }
        let mut root = format!("{{\"methodConfig\":[{{\"name\":[{{}}]{method}}}]");
        if !throttling.is_undefined() {
            root.push_str(&format!(
                ",\"retryThrottling\":{}",
                json(&throttling, "retryThrottling")?
            ));
        }
        root.push('}');
        if method.is_empty() && throttling.is_undefined() {
            return Ok(client);
        }
        root
    };
    client
        .service_config(&json)
        .map_err(|e| invalid(e.to_string()))
}

/// `value` as JSON text: it must be a plain object.
fn json(value: &JsValue, name: &str) -> Result<String, Status> {
    if !value.is_object() {
        return Err(invalid(format!("{name} must be an object")));
    }
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| invalid(format!("{name} cannot be written as JSON")))
}
