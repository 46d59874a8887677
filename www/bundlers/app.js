// One app, built by each bundler from the packed package, as the npm README's Vite steps
// write it: typed calls with protoc-gen-es code over the connect-es transport; then
// DynamicClient, imported only when needed, whose wasm module must be fetched then and not
// before. `?server=` names the API. `wasm`: where the bundler put each wasm module, if the
// package's default (next to its own module) does not hold.
import init, { GrpcWebClient } from "grpc-web-wasm";
import { createGrpcWebWasmTransport } from "grpc-web-wasm/connect";
import { createClient } from "@connectrpc/connect";
import { UserService } from "../generated/es/demo/v1/users_pb.js";

const wasmFetched = () =>
  performance.getEntriesByType("resource").filter((e) => new URL(e.name).pathname.endsWith(".wasm")).length;

export async function run(wasm = {}) {
  const out = document.getElementById("out");
  try {
    await init(wasm.core ? { module_or_path: wasm.core } : undefined);
    const baseUrl = new URL(location.href).searchParams.get("server");
    const users = createClient(UserService, createGrpcWebWasmTransport({ baseUrl }));
    const user = await users.getUser({ userId: 1 });
    let streamed = 0;
    for await (const _ of users.listUsers({ pageSize: 2 })) streamed++;
    const before = wasmFetched();
    const { default: initDynamic, DynamicClient } = await import("grpc-web-wasm/dynamic");
    await initDynamic(wasm.dynamic ? { module_or_path: wasm.dynamic } : undefined);
    const dynamic = await DynamicClient.fromReflection(new GrpcWebClient(baseUrl));
    const other = await dynamic.call("demo.v1.UserService/GetUser", { userId: 3 });
    out.textContent = `ok: ${user.name}, ${streamed} streamed, ${other.name}; wasm modules: ${before}, then ${wasmFetched()}`;
  } catch (e) {
    out.textContent = `failed: ${e}`;
  }
}
