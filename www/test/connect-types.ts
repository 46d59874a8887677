// Compile-time tests of the connect-es entry (`grpc-web-wasm/connect`) with clients generated
// by protoc-gen-es: typed requests and replies, ConnectError, connect-es call options.
import init from "grpc-web-wasm";
import { createGrpcWebWasmTransport } from "grpc-web-wasm/connect";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { UserService, type UserResponse } from "../generated/es/demo/v1/users_pb.js";
import { TelemetryService, type Summary } from "../generated/es/demo/v1/telemetry_pb.js";

export async function typedConnect(): Promise<void> {
  await init();
  const transport = createGrpcWebWasmTransport({ baseUrl: "http://127.0.0.1:1", mode: "text", defaultTimeoutMs: 5 });
  const users = createClient(UserService, transport);
  const user: UserResponse = await users.getUser({ userId: 1 }, { timeoutMs: 10, signal: new AbortController().signal });
  for await (const u of users.listUsers({ pageSize: 2 })) {
    const name: string = u.name;
  }
  const telemetry = createClient(TelemetryService, transport);
  async function* samples() {
    yield { x: 1, y: 2, atMs: 3 };
  }
  const summary: Summary = await telemetry.record(samples());
  const count: bigint = summary.samples;
  try {
    await users.getUser({ userId: 2 });
  } catch (e) {
    if (e instanceof ConnectError && e.code === Code.NotFound) {
      const raw: string = e.rawMessage;
    }
  }
  void [user, count];

  // @ts-expect-error: the request's fields are typed
  await users.getUser({ userId: "1" });
  // @ts-expect-error: baseUrl is required
  createGrpcWebWasmTransport({ mode: "binary" });
}
