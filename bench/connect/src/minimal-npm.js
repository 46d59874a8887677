// The minimal app for the size comparison with connect-es over our transport: the connect-web
// minimal app (minimal.js) with `createGrpcWebWasmTransport` instead, and the wasm module
// (`--loader:.wasm=file` puts it beside the bundle).
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import init from "grpc-web-wasm";
import { createGrpcWebWasmTransport } from "grpc-web-wasm/connect";
import wasmUrl from "grpc-web-wasm/grpc_web_wasm_bg.wasm";
import { TestService } from "../gen/grpc/testing/test_pb.js";
import { SimpleRequestSchema, StreamingOutputCallRequestSchema } from "../gen/grpc/testing/messages_pb.js";

export async function run(base) {
  await init({ module_or_path: new URL(wasmUrl, import.meta.url) });
  const c = createClient(TestService, createGrpcWebWasmTransport({ baseUrl: base }));
  const reply = await c.unaryCall(create(SimpleRequestSchema, { responseSize: 8 }));
  let n = 0;
  const request = create(StreamingOutputCallRequestSchema, {
    responseParameters: [{ size: 8 }, { size: 8 }],
  });
  for await (const m of c.streamingOutputCall(request)) n += m.payload.body.length;
  return reply.payload.body.length + n;
}
