// @ts-check
// A page that imports only the core entries, "grpc-web-wasm" and "grpc-web-wasm/connect":
// one call through each, then the wasm modules the page fetched (Resource Timing), which
// must not include DynamicClient's. test/loading.test.mjs checks it.
import init, { GrpcWebClient } from "grpc-web-wasm";
import { createGrpcWebWasmTransport } from "grpc-web-wasm/connect";
import { createClient } from "@connectrpc/connect";
import { UserService } from "../generated/es/demo/v1/users_pb.js";

/** @param {string} id @param {string} text */
const show = (id, text) => {
  const element = document.getElementById(id);
  if (element) element.textContent = text;
};

try {
  await init();
  const server = new URLSearchParams(location.search).get("server") ?? location.origin;
  const reply = await new GrpcWebClient(server).unary("/demo.v1.UserService/GetUser", new Uint8Array([8, 1]));
  show("bytes", `${reply.message.length} bytes`);
  const users = createClient(UserService, createGrpcWebWasmTransport({ baseUrl: server }));
  show("connect", (await users.getUser({ userId: 2 })).name);
} catch (error) {
  show("bytes", `failed: ${error}`);
}
const fetched = performance
  .getEntriesByType("resource")
  .map((entry) => new URL(entry.name).pathname)
  .filter((path) => path.endsWith(".wasm"));
show("wasm", fetched.join(" "));
document.body.dataset.ready = "true";
