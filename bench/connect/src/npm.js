// Contenders from the packed npm package, as a JavaScript user gets them (driven by the
// harness, bundled with esbuild): "ours, npm bytes API" calls `GrpcWebClient` with messages
// serialized by protobuf-es and counts the bytes it gets back, without decoding them (as raw
// fetch does); "ours, npm bytes API, batches" reads the same streams with `batches()`, an
// array of messages per step; "connect-es over ours" is the connect-web contender's app, with
// the transport swapped for `createGrpcWebWasmTransport`.
import { create, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import init, { GrpcWebClient } from "grpc-web-wasm";
import { createGrpcWebWasmTransport } from "grpc-web-wasm/connect";
import wasmUrl from "grpc-web-wasm/grpc_web_wasm_bg.wasm";
import { TestService } from "../gen/grpc/testing/test_pb.js";
import {
  ResponseParametersSchema,
  SimpleRequestSchema,
  StreamingOutputCallRequestSchema,
} from "../gen/grpc/testing/messages_pb.js";
import { timed } from "./shape.js";

const METHOD = "/grpc.testing.TestService/";

const streamRequest = (count, size) =>
  create(StreamingOutputCallRequestSchema, {
    responseParameters: Array.from({ length: count }, () => create(ResponseParametersSchema, { size })),
  });

// Reads a bytes API stream, a message or (`batched`) a batch per step: [first message ms,
// total ms, messages, bytes asked for]. A reply's bytes hold at least its payload.
async function readStream(client, count, size, batched) {
  const request = toBinary(StreamingOutputCallRequestSchema, streamRequest(count, size));
  const start = performance.now();
  let first = -1;
  let messages = 0;
  let got = 0;
  const stream = client.serverStream(METHOD + "StreamingOutputCall", request);
  if (batched) {
    for await (const batch of stream.batches()) {
      if (first < 0) first = performance.now() - start;
      for (const m of batch) {
        messages++;
        got += m.length;
      }
    }
  } else {
    for await (const m of stream) {
      if (first < 0) first = performance.now() - start;
      messages++;
      got += m.length;
    }
  }
  const total = performance.now() - start;
  if (messages !== count || got < count * size) {
    throw new Error(`stream gave ${messages} messages / ${got} bytes, asked for ${count} / ${count * size}`);
  }
  return [first, total, messages, count * size];
}

// One client per server and mode, made on first use.
function clients() {
  const made = new Map();
  return (base, text) => {
    const key = `${base} ${text}`;
    if (!made.has(key)) made.set(key, new GrpcWebClient(base, text ? { mode: "text" } : {}));
    return made.get(key);
  };
}

// The bytes API.
function bytes(wasm) {
  const client = clients();
  const requests = new Map();
  const simple = (size) => {
    if (!requests.has(size)) requests.set(size, toBinary(SimpleRequestSchema, create(SimpleRequestSchema, { responseSize: size })));
    return requests.get(size);
  };
  return timed({
    text: true,
    async unary(base, size) {
      const reply = await client(base, false).unary(METHOD + "UnaryCall", simple(size));
      if (reply.message.length < size) throw new Error(`reply of ${reply.message.length} bytes, want >= ${size}`);
    },
    stream: (base, count, size, text) => readStream(client(base, text), count, size, false),
    memory: () => wasm.memory.buffer.byteLength,
  });
}

// The bytes API's streams a batch per step: its unary calls would be the bytes API's, so it
// runs the stream workloads alone.
function batches(wasm) {
  const client = clients();
  return {
    text: false,
    stream: (base, count, size) => readStream(client(base, false), count, size, true),
    memory: () => wasm.memory.buffer.byteLength,
  };
}

// connect-es with our transport: messages decoded by protobuf-es, as connect-web's are.
function connect(wasm) {
  const clients = new Map();
  const client = (base) => {
    if (!clients.has(base)) clients.set(base, createClient(TestService, createGrpcWebWasmTransport({ baseUrl: base })));
    return clients.get(base);
  };
  return timed({
    text: false,
    async unary(base, size) {
      const reply = await client(base).unaryCall(create(SimpleRequestSchema, { responseSize: size }));
      const got = reply.payload ? reply.payload.body.length : 0;
      if (got !== size) throw new Error(`payload of ${got} bytes, asked for ${size}`);
    },
    async stream(base, count, size, text) {
      if (text) throw new Error("not run in text mode");
      const request = streamRequest(count, size);
      const start = performance.now();
      let first = -1;
      let messages = 0;
      let got = 0;
      for await (const m of client(base).streamingOutputCall(request)) {
        if (first < 0) first = performance.now() - start;
        messages++;
        got += m.payload ? m.payload.body.length : 0;
      }
      const total = performance.now() - start;
      if (messages !== count || got !== count * size) {
        throw new Error(`stream gave ${messages} messages / ${got} bytes, asked for ${count} / ${count * size}`);
      }
      return [first, total, messages, got];
    },
    memory: () => wasm.memory.buffer.byteLength,
  });
}

let loaded;

/** The contender `kind` ("bytes", "batches" or "connect"); instantiated once per bundle. */
export async function contender(kind) {
  loaded ??= init({ module_or_path: new URL(wasmUrl, import.meta.url) });
  const wasm = await loaded;
  return { bytes, batches, connect }[kind](wasm);
}
