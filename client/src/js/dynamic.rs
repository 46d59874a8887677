//! `DynamicClient`: calls by method name with plain JavaScript objects, encoded and decoded
//! per the proto3 JSON mapping from descriptors (a `FileDescriptorSet`, or the server's
//! reflection service). No generated code.

use std::rc::Rc;

use bytes::Bytes;
use js_sys::{Promise, Uint8Array, JSON};
use prost_reflect::MessageDescriptor;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::duplex;
use super::interop::{self, invalid, CallOptions};
use super::schema::{self, JsonOptions, Method, Schema};
use super::send::Encode;
use super::setup::{client_like, discover, json_options};
use super::stream;
use crate::client::Client;
use crate::protocol::status::{Code, Status};

/// Calls described by descriptors rather than generated code.
#[wasm_bindgen]
pub struct DynamicClient {
    client: Client,
    schema: Rc<Schema>,
    json: JsonOptions,
}

#[wasm_bindgen]
impl DynamicClient {
    /// From an encoded `google.protobuf.FileDescriptorSet` with every import included.
    #[wasm_bindgen(js_name = fromFileDescriptorSet)]
    pub fn from_file_descriptor_set(
        #[wasm_bindgen(unchecked_param_type = "GrpcWebClient")] client: JsValue,
        #[wasm_bindgen(js_name = fileDescriptorSet, unchecked_param_type = "Uint8Array")]
        file_descriptor_set: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "DynamicOptions")] options: JsValue,
    ) -> Result<DynamicClient, JsValue> {
        let build = || {
            Ok(DynamicClient {
                client: client_like(&client)?,
                schema: Rc::new(Schema::from_file_descriptor_set(&interop::message_bytes(
                    &file_descriptor_set,
                    "fileDescriptorSet",
                )?)?),
                json: json_options(&options)?,
            })
        };
        build().map_err(|s: Status| interop::error(&s))
    }

    /// Asks the server's reflection service (`grpc.reflection.v1`, else `v1alpha`) for its
    /// services and their descriptors. `callOptions` apply to each reflection request.
    #[wasm_bindgen(
        js_name = fromReflection,
        unchecked_return_type = "Promise<DynamicClient>"
    )]
    pub fn from_reflection(
        #[wasm_bindgen(unchecked_param_type = "GrpcWebClient")] client: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "DynamicOptions")] options: JsValue,
        #[wasm_bindgen(js_name = callOptions, unchecked_optional_param_type = "CallOptions")]
        call_options: JsValue,
    ) -> Promise {
        let client = client_like(&client);
        future_to_promise(async move {
            let build = async {
                let client = client?;
                let json = json_options(&options)?;
                let call = CallOptions::from_js(&call_options)?;
                let schema = discover(&client, &call).await?;
                Ok(DynamicClient {
                    client,
                    schema: Rc::new(schema),
                    json,
                })
            };
            build
                .await
                .map(JsValue::from)
                .map_err(|s: Status| interop::error(&s))
        })
    }

    /// Every service and its methods, sorted by name.
    #[wasm_bindgen(unchecked_return_type = "ServiceInfo[]")]
    pub fn services(&self) -> Result<JsValue, JsValue> {
        parse_json(&self.schema.services().to_string()).map_err(|s| interop::error(&s))
    }

    /// Calls a unary method with a plain object; resolves to the reply as a plain object.
    #[wasm_bindgen(unchecked_return_type = "Promise<JsonObject>")]
    pub fn call(
        &self,
        method: String,
        #[wasm_bindgen(unchecked_param_type = "JsonObject")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let client = self.client.clone();
        let schema = self.schema.clone();
        let json = self.json;
        future_to_promise(async move {
            let run = async {
                let method = schema.method(&method)?;
                expect_kind(&method, false)?;
                let body = encode(&method.input(), &request)?;
                let request = CallOptions::from_js(&options)?.request(body);
                // Decoded inside the call, so its interceptors see a failure to decode.
                let output = method.output();
                let reply = client
                    .unary_with(&method.path(), request, |bytes| {
                        parse_json(&schema::decode(&output, &bytes, json)?)
                    })
                    .await?;
                Ok(reply.into_inner())
            };
            run.await.map_err(|s: Status| interop::error(&s))
        })
    }

    /// Calls a server-streaming method with a plain object; iterate the replies with
    /// `for await`. The call starts with the first message asked for.
    #[wasm_bindgen(
        js_name = serverStream,
        unchecked_return_type = "MessageStream<JsonObject>"
    )]
    pub fn server_stream(
        &self,
        method: String,
        #[wasm_bindgen(unchecked_param_type = "JsonObject")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> JsValue {
        let json = self.json;
        let prepared = self.schema.method(&method).and_then(|method| {
            expect_kind(&method, true)?;
            let body = encode(&method.input(), &request)?;
            let request = CallOptions::from_js(&options)?.request(body);
            Ok((method, request))
        });
        let (path, output, request) = match prepared {
            Ok((method, request)) => (method.path(), Some(method.output()), Ok(request)),
            Err(status) => (String::new(), None, Err(status)),
        };
        stream::start(
            self.client.clone(),
            path,
            request,
            Rc::new(move |bytes: Bytes| {
                let output = output.as_ref().ok_or_else(|| invalid("no method"))?;
                parse_json(&schema::decode(output, &bytes, json)?)
            }),
        )
    }

    /// Calls a client-streaming method over a WebSocket: `send()` plain objects, `close()`,
    /// then await `response`, the reply as a plain object.
    #[wasm_bindgen(
        js_name = clientStream,
        unchecked_return_type = "ClientStreamCall<JsonObject, JsonObject>"
    )]
    pub fn client_stream(
        &self,
        method: String,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> JsValue {
        let json = self.json;
        let (path, encode, output) = self.streaming(&method, false);
        duplex::client_stream(
            self.client.clone(),
            path,
            &options,
            encode,
            move |bytes| parse_json(&schema::decode(&output?, &bytes, json)?),
            |reply: &crate::Response<JsValue>| reply.get_ref().clone(),
        )
    }

    /// Calls a bidirectional-streaming method over a WebSocket: `send()` plain objects and
    /// iterate the replies, plain objects too, with `for await`; `close()` ends the requests.
    #[wasm_bindgen(
        js_name = bidiStream,
        unchecked_return_type = "BidiStream<JsonObject, JsonObject>"
    )]
    pub fn bidi_stream(
        &self,
        method: String,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> JsValue {
        let json = self.json;
        let (path, encode, output) = self.streaming(&method, true);
        duplex::bidi_stream(
            self.client.clone(),
            path,
            &options,
            encode,
            Rc::new(move |bytes: Bytes| {
                parse_json(&schema::decode(
                    output.as_ref().map_err(Clone::clone)?,
                    &bytes,
                    json,
                )?)
            }),
        )
    }

    /// Encodes a plain object as the message type `typeName` (`package.Message`), e.g. for
    /// `GrpcWebClient.unary`.
    pub fn encode(
        &self,
        #[wasm_bindgen(js_name = typeName)] type_name: String,
        #[wasm_bindgen(unchecked_param_type = "JsonObject")] message: JsValue,
    ) -> Result<Uint8Array, JsValue> {
        self.schema
            .message(&type_name)
            .and_then(|desc| encode(&desc, &message))
            .map(|bytes| Uint8Array::from(&bytes[..]))
            .map_err(|s| interop::error(&s))
    }

    /// Decodes the bytes of a `typeName` message into a plain object.
    #[wasm_bindgen(unchecked_return_type = "JsonObject")]
    pub fn decode(
        &self,
        #[wasm_bindgen(js_name = typeName)] type_name: String,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    ) -> Result<JsValue, JsValue> {
        let bytes = interop::message_bytes(&bytes, "bytes").map_err(|s| interop::error(&s))?;
        self.schema
            .message(&type_name)
            .and_then(|desc| schema::decode(&desc, &bytes, self.json))
            .and_then(|text| parse_json(&text))
            .map_err(|s| interop::error(&s))
    }
}

impl DynamicClient {
    /// What a streaming-request call to `method` needs: its path, how a sent object becomes
    /// bytes, and its reply type. A method that is not of the kind asked for fails each
    /// `send()` and the call, before any socket opens, with `INVALID_ARGUMENT`: the error
    /// reaches `response` or the iterator, where the caller looks for it.
    fn streaming(
        &self,
        method: &str,
        server_streaming: bool,
    ) -> (
        Result<String, Status>,
        Encode,
        Result<MessageDescriptor, Status>,
    ) {
        let found = self.schema.method(method).and_then(|m| {
            match (m.is_client_streaming(), m.is_server_streaming()) {
                (true, s) if s == server_streaming => Ok(m),
                (false, false) => Err(invalid(format!("{} is unary: use call()", m.name()))),
                (false, true) => Err(invalid(format!(
                    "{} is server-streaming: use serverStream()",
                    m.name()
                ))),
                (true, true) => Err(invalid(format!("{} is bidi: use bidiStream()", m.name()))),
                (true, false) => Err(invalid(format!(
                    "{} is client-streaming: use clientStream()",
                    m.name()
                ))),
            }
        });
        match found {
            Ok(m) => {
                let input = m.input();
                let encode: Encode = Rc::new(move |value: &JsValue| encode(&input, value));
                (Ok(m.path()), encode, Ok(m.output()))
            }
            Err(status) => {
                let refuse = status.clone();
                let encode: Encode = Rc::new(move |_: &JsValue| Err(refuse.clone()));
                (Err(status.clone()), encode, Err(status))
            }
        }
    }
}

fn expect_kind(method: &Method, streaming: bool) -> Result<(), Status> {
    if method.is_client_streaming() {
        return Err(Status::new(
            Code::Unimplemented,
            format!(
                "{} streams requests, which gRPC-Web over fetch cannot send",
                method.name()
            ),
        ));
    }
    match (method.is_server_streaming(), streaming) {
        (true, false) => Err(invalid(format!(
            "{} is server-streaming: use serverStream()",
            method.name()
        ))),
        (false, true) => Err(invalid(format!("{} is unary: use call()", method.name()))),
        _ => Ok(()),
    }
}

/// A plain object as bytes of message type `desc`, through its JSON text.
fn encode(desc: &prost_reflect::MessageDescriptor, value: &JsValue) -> Result<Bytes, Status> {
    let text = if value.is_undefined() || value.is_null() {
        "{}".to_string()
    } else {
        JSON::stringify(value)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| {
                invalid(format!(
                    "the {} request cannot be written as JSON (a BigInt or a cycle?)",
                    desc.full_name()
                ))
            })?
    };
    schema::encode(desc, &text).map(Bytes::from)
}

fn parse_json(text: &str) -> Result<JsValue, Status> {
    JSON::parse(text).map_err(|_| Status::new(Code::Internal, "produced JSON that does not parse"))
}
