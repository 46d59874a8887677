// DynamicClient's module (grpc-web-wasm/dynamic) uses the core module's types.
import type { BidiStream, CallOptions, ClientStreamCall, GrpcWebClient, MessageStream } from "./grpc_web_wasm.js";

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A message in the proto3 JSON mapping (lowerCamelCase names; 64-bit integers as strings). */
export type JsonObject = { [key: string]: JsonValue };

/** How `DynamicClient` renders replies; the defaults are canonical proto3 JSON. */
export interface DynamicOptions {
  /** Include fields holding their default value. */
  emitDefaults?: boolean;
  /** Enum values as numbers rather than names. */
  enumsAsNumbers?: boolean;
  /** Field names as in the .proto file (`user_id`) rather than lowerCamelCase. */
  protoFieldNames?: boolean;
}

/** A method in a `DynamicClient`'s descriptors. */
export interface MethodInfo {
  /** e.g. `GetUser`. */
  name: string;
  /** e.g. `/demo.v1.UserService/GetUser`. */
  path: string;
  /** Full name of the request type. */
  inputType: string;
  /** Full name of the reply type. */
  outputType: string;
  clientStreaming: boolean;
  serverStreaming: boolean;
}

/** A service in a `DynamicClient`'s descriptors. */
export interface ServiceInfo {
  /** Full name, e.g. `demo.v1.UserService`. */
  name: string;
  methods: MethodInfo[];
}
