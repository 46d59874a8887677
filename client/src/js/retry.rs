//! The retry options of `ClientOptions`: `serviceConfig` (a gRPC service config, as JSON
//! text or as an object), or `retryPolicy` / `hedgingPolicy` for every method and
//! `retryThrottling`, shaped as in a service config. JSON text is parsed by JavaScript's
//! `JSON.parse`, and the objects are read where they are: the module carries no JSON parser.

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::JsValue;

use super::interop::{get, invalid, set};
use crate::client::Client;
use crate::protocol::retry::{read_service_config, JsonValue};
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
    let config = if !config.is_undefined() {
        if !(retry.is_undefined() && hedging.is_undefined() && throttling.is_undefined()) {
            return Err(invalid(
                "give serviceConfig, or retryPolicy / hedgingPolicy / retryThrottling, not both",
            ));
        }
        match config.as_string() {
            Some(text) => JSON::parse(&text).map_err(|e| {
                let why = Reflect::get(&e, &"message".into())
                    .ok()
                    .and_then(|m| m.as_string())
                    .unwrap_or_default();
                invalid(format!("serviceConfig is not JSON: {why}"))
            })?,
            None => config,
        }
    } else {
        if retry.is_undefined() && hedging.is_undefined() && throttling.is_undefined() {
            return Ok(client);
        }
        // One methodConfig entry for every method, as a service config would say it.
        let entry = Object::new();
        set(&entry, "name", &Array::of1(&Object::new()));
        for (value, key) in [(&retry, "retryPolicy"), (&hedging, "hedgingPolicy")] {
            if !value.is_undefined() {
                set(&entry, key, value);
            }
        }
        let root = Object::new();
        set(&root, "methodConfig", &Array::of1(&entry));
        if !throttling.is_undefined() {
            set(&root, "retryThrottling", &throttling);
        }
        root.into()
    };
    let config = read_service_config(&Js(config)).map_err(|e| invalid(e.to_string()))?;
    Ok(client.retry_config(config))
}

/// A JavaScript value read as JSON. A getter that throws reads as a missing field.
struct Js(JsValue);

impl JsonValue for Js {
    fn field(&self, key: &str) -> Option<Self> {
        if !self.is_object() {
            return None;
        }
        Reflect::get(&self.0, &key.into())
            .ok()
            .filter(|v| !v.is_undefined())
            .map(Js)
    }
    fn is_object(&self) -> bool {
        self.0.is_object() && !Array::is_array(&self.0)
    }
    fn items(&self) -> Option<Vec<Self>> {
        Array::is_array(&self.0).then(|| Array::from(&self.0).iter().map(Js).collect())
    }
    fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }
    fn integer(&self) -> Option<i64> {
        // Every integer JSON can carry exactly, and no more (as serde_json's `as_i64` would).
        const EXACT: f64 = 9_007_199_254_740_991.0;
        self.number()
            .filter(|n| n.fract() == 0.0 && n.abs() <= EXACT)
            .map(|n| n as i64)
    }
    fn text(&self) -> Option<String> {
        self.0.as_string()
    }
    fn is_null(&self) -> bool {
        self.0.is_null()
    }
}
