// One app, built by each bundler from the packed package: it calls GetUser and a server
// stream, then shows what came back. `?server=` names the API. `wasmUrl`: where the bundler
// put the wasm module, if the package's default (next to its own module) does not hold.
import init, { GrpcWebClient } from "grpc-web-wasm";

export async function run(wasmUrl) {
  const out = document.getElementById("out");
  try {
    await init(wasmUrl ? { module_or_path: wasmUrl } : undefined);
    const server = new URL(location.href).searchParams.get("server");
    const client = new GrpcWebClient(server);
    const { message } = await client.unary("/demo.v1.UserService/GetUser", new Uint8Array([8, 1]));
    let streamed = 0;
    for await (const _ of client.serverStream("/demo.v1.UserService/ListUsers", new Uint8Array([8, 2]))) streamed++;
    out.textContent = `ok: ${message.length} bytes, ${streamed} streamed`;
  } catch (e) {
    out.textContent = `failed: ${e}`;
  }
}
