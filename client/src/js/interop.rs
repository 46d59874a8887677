//! Values crossing into and out of JavaScript: metadata objects, call options, and a
//! [`Status`] thrown as a `GrpcError`.

use std::time::Duration;

use bytes::Bytes;
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

use crate::protocol::metadata::MetadataMap;
use crate::protocol::status::{Code, Status};
use crate::request::Request;

#[wasm_bindgen(module = "/src/js/support.js")]
extern "C" {
    /// The package's error class (typed in `types.d.ts`).
    #[wasm_bindgen(extends = js_sys::Error)]
    pub type GrpcError;

    #[wasm_bindgen(constructor)]
    fn new(
        code: i32,
        code_name: &str,
        message: &str,
        metadata: JsValue,
        details: Array,
        headers: JsValue,
    ) -> GrpcError;

    /// Wraps a stream object with `nextBatch()` and `cancel()` as an async iterator.
    #[wasm_bindgen(js_name = messageStream)]
    pub fn message_stream(raw: JsValue) -> JsValue;

    /// A client-streaming call: `send`, `close`, `cancel` and the `response` promise.
    #[wasm_bindgen(js_name = clientStreamCall)]
    pub fn client_stream_call(sender: JsValue, response: js_sys::Promise) -> JsValue;

    /// A bidi call: a message stream of the replies, with `send` and `close`.
    #[wasm_bindgen(js_name = bidiStreamCall)]
    pub fn bidi_stream_call(sender: JsValue, replies: JsValue) -> JsValue;
}

/// The core module exports the `GrpcError` class itself, so that `instanceof GrpcError`
/// works (a type import's re-export would be typed `unknown`). The dynamic module's errors
/// are the same class: both glues import one `support.js` (checked by `cargo xtask npm`).
#[cfg(feature = "js")]
#[wasm_bindgen(module = "/src/js/support.js")]
extern "C" {
    /// Never called: only makes the glue export the class.
    #[wasm_bindgen(reexport, skip_typescript, js_name = GrpcError)]
    fn _export_grpc_error();
}

/// `status` as the `GrpcError` a promise rejects with.
pub fn error(status: &Status) -> JsValue {
    let details = Array::new();
    for any in status.error_details() {
        let detail = Object::new();
        set(&detail, "typeUrl", &any.type_url.as_str().into());
        set(&detail, "value", &Uint8Array::from(&any.value[..]).into());
        details.push(&detail);
    }
    // An Error with an empty message tells a reader nothing (a server may send none).
    let message = match status.message() {
        "" => format!("{} (the server sent no message)", status.code().as_str()),
        m => m.to_owned(),
    };
    GrpcError::new(
        status.code().as_i32(),
        status.code().as_str(),
        &message,
        metadata_to_js(status.metadata()),
        details,
        metadata_to_js(status.headers()),
    )
    .into()
}

/// A `GrpcError` with `INVALID_ARGUMENT`, for bad input from the caller.
pub fn invalid(message: impl Into<String>) -> Status {
    Status::new(Code::InvalidArgument, message)
}

/// Metadata as a plain object: text values, repeated keys joined with `", "` as `Headers`
/// does; `-bin` values decoded to a `Uint8Array`, or an array of them when the key is
/// repeated (in separate entries or joined in one), so no value is lost.
pub fn metadata_to_js(metadata: &MetadataMap) -> JsValue {
    let object = Object::new();
    for (key, value) in metadata.iter() {
        let existing = Reflect::get(&object, &key.into()).unwrap_or(JsValue::UNDEFINED);
        if key.ends_with("-bin") {
            if existing.is_undefined() {
                let values: Vec<JsValue> = metadata
                    .get_all(key)
                    .flat_map(|v| crate::protocol::ascii::split(v, b','))
                    .map(|v| match crate::protocol::metadata::decode_bin(v) {
                        Ok(bytes) => Uint8Array::from(&bytes[..]).into(),
                        Err(_) => JsValue::from_str(v.trim()),
                    })
                    .collect();
                let decoded = match <[JsValue; 1]>::try_from(values) {
                    Ok([one]) => one,
                    Err(many) => many.into_iter().collect::<Array>().into(),
                };
                set(&object, key, &decoded);
            }
        } else if let Some(previous) = existing.as_string() {
            set(&object, key, &format!("{previous}, {value}").into());
        } else {
            set(&object, key, &value.into());
        }
    }
    object.into()
}

/// One metadata value from JavaScript.
#[derive(Debug, Clone)]
pub enum MetadataValue {
    /// For an ordinary key.
    Text(String),
    /// For a `-bin` key.
    Bin(Vec<u8>),
}

/// The entries of a metadata object (`{ key: string | Uint8Array | array of them }`),
/// each checked as the call would check it.
pub fn metadata_from_js(value: &JsValue) -> Result<Vec<(String, MetadataValue)>, Status> {
    let mut entries = Vec::new();
    if value.is_undefined() || value.is_null() {
        return Ok(entries);
    }
    let object = value
        .dyn_ref::<Object>()
        .filter(|_| !value.is_function() && !Array::is_array(value))
        .ok_or_else(|| invalid("metadata must be an object of key: value"))?;
    let mut check = MetadataMap::new();
    for entry in Object::entries(object).iter() {
        let entry: Array = entry.unchecked_into();
        let key = entry.get(0).as_string().unwrap_or_default();
        let value = entry.get(1);
        let values = if Array::is_array(&value) {
            value.unchecked_into::<Array>().iter().collect()
        } else {
            vec![value]
        };
        for value in values {
            let value = metadata_value(&key, &value)?;
            append(&mut check, &key, &value)?;
            entries.push((key.clone(), value));
        }
    }
    Ok(entries)
}

fn metadata_value(key: &str, value: &JsValue) -> Result<MetadataValue, Status> {
    if key.to_ascii_lowercase().ends_with("-bin") {
        let bytes = value.dyn_ref::<Uint8Array>().ok_or_else(|| {
            invalid(format!(
                "metadata `{key}` ends in -bin, so its value must be a Uint8Array"
            ))
        })?;
        Ok(MetadataValue::Bin(bytes.to_vec()))
    } else {
        let text = value.as_string().ok_or_else(|| {
            invalid(format!(
                "metadata `{key}` must be a string (only -bin keys take a Uint8Array)"
            ))
        })?;
        Ok(MetadataValue::Text(text))
    }
}

/// Adds `value` under `key`.
pub fn append(into: &mut MetadataMap, key: &str, value: &MetadataValue) -> Result<(), Status> {
    match value {
        MetadataValue::Text(text) => into.append(key, text),
        MetadataValue::Bin(bytes) => into.append_bin(key, bytes),
    }
    .map_err(|e| invalid(format!("invalid metadata: {e}")))
}

/// The per-call options: `{ metadata, timeoutMs, signal }`.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    metadata: Vec<(String, MetadataValue)>,
    timeout: Option<Duration>,
    signal: Option<AbortSignal>,
}

impl CallOptions {
    /// Reads a `CallOptions` object (`undefined` means none). Unknown keys are refused, so
    /// a misspelt option is never silently ignored.
    pub fn from_js(value: &JsValue) -> Result<CallOptions, Status> {
        let mut options = CallOptions::default();
        let Some(object) = options_object(value, &["metadata", "timeoutMs", "signal"])? else {
            return Ok(options);
        };
        options.metadata = metadata_from_js(&get(&object, "metadata"))?;
        options.timeout = millis(&get(&object, "timeoutMs"), "timeoutMs")?;
        let signal = get(&object, "signal");
        if !signal.is_undefined() {
            options.signal = Some(
                signal
                    .dyn_into::<AbortSignal>()
                    .map_err(|_| invalid("signal must be an AbortSignal"))?,
            );
        }
        Ok(options)
    }

    /// A request carrying `message` with these options.
    pub fn request(&self, message: Bytes) -> Request<Bytes> {
        let mut request = Request::new(message);
        for (key, value) in &self.metadata {
            // Already checked when it was read.
            let _ = append(request.metadata_mut(), key, value);
        }
        if let Some(timeout) = self.timeout {
            request.set_timeout(timeout);
        }
        if let Some(signal) = &self.signal {
            request.set_signal(signal.clone());
        }
        request
    }
}

/// The object behind an options argument, after checking that it has only `allowed` keys;
/// `None` for `undefined` or `null`.
pub fn options_object(value: &JsValue, allowed: &[&str]) -> Result<Option<Object>, Status> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let object = value
        .dyn_ref::<Object>()
        .filter(|_| !Array::is_array(value))
        .ok_or_else(|| invalid("options must be an object"))?;
    for key in Object::keys(object).iter() {
        let key = key.as_string().unwrap_or_default();
        if !allowed.contains(&key.as_str()) {
            return Err(invalid(format!(
                "unknown option `{key}` (known: {})",
                allowed.join(", ")
            )));
        }
    }
    Ok(Some(object.clone()))
}

/// A non-negative, finite number of milliseconds, if present.
pub fn millis(value: &JsValue, name: &str) -> Result<Option<Duration>, Status> {
    if value.is_undefined() {
        return Ok(None);
    }
    // `try_from`: a duration too large for `Duration` (1e300 ms) is the caller's error,
    // never a panic.
    let ms = value.as_f64().filter(|ms| *ms <= 1e15);
    match ms.map(|ms| Duration::try_from_secs_f64(ms / 1000.0)) {
        Some(Ok(timeout)) => Ok(Some(timeout)),
        _ => Err(invalid(format!(
            "{name} must be a finite number of milliseconds, at least 0 and at most 1e15"
        ))),
    }
}

/// The bytes of a serialized message passed from JavaScript, which must be a `Uint8Array`.
pub fn message_bytes(value: &JsValue, name: &str) -> Result<Bytes, Status> {
    match value.dyn_ref::<Uint8Array>() {
        Some(bytes) => Ok(Bytes::from(bytes.to_vec())),
        None => Err(invalid(format!(
            "{name} must be a Uint8Array holding the serialized message, not {}",
            describe_type(value)
        ))),
    }
}

/// What kind of value a caller passed, for error messages.
fn describe_type(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else if Array::is_array(value) {
        "an Array".into()
    } else if value.is_instance_of::<js_sys::ArrayBuffer>() {
        "an ArrayBuffer (wrap it: new Uint8Array(buffer))".into()
    } else {
        format!(
            "a value of type {}",
            value.js_typeof().as_string().unwrap_or_default()
        )
    }
}

/// A non-negative integer (a byte count), if present.
pub fn count(value: &JsValue, name: &str) -> Result<Option<usize>, Status> {
    if value.is_undefined() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= usize::MAX as f64 => Ok(Some(n as usize)),
        _ => Err(invalid(format!(
            "{name} must be a whole number, at least 0"
        ))),
    }
}

/// `object[key]`, `undefined` when missing.
pub fn get(object: &Object, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// `object[key] = value` on an ordinary object, which cannot fail.
pub fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &key.into(), value);
}

/// `/package.Service/Method` from either spelling callers use.
#[cfg(feature = "js")]
pub fn method_path(method: &str) -> String {
    if method.starts_with('/') {
        method.to_string()
    } else {
        format!("/{method}")
    }
}
