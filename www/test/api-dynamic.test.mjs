// The package's DynamicClient in headless Chromium: a FileDescriptorSet without reflection,
// its own init(), its errors as the core's GrpcError, and plain objects streamed both ways.
// Run by `cargo xtask test` against the servers it starts, with the packed package.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openApp, packageRunner } from "./page.mjs";

const page = openApp();
const { api, fault } = page;
const inPage = packageRunner(page);

describe("the API", () => {
  test("a FileDescriptorSet works without reflection, and JSON options shape replies", async () => {
    const result = await inPage(async ({ GrpcWebClient, DynamicClient }, api) => {
      const client = new GrpcWebClient(api, { mode: "text", metadata: { "x-trace-bin": new Uint8Array([1, 2]) } });
      const set = new Uint8Array(await (await fetch("./generated/demo.binpb")).arrayBuffer());
      const dynamic = DynamicClient.fromFileDescriptorSet(client, set, { protoFieldNames: true, emitDefaults: true });
      const user = await dynamic.call("demo.v1.UserService/GetUser", { user_id: 12 });
      const names = dynamic.services().map((s) => s.name);
      return { user, names };
    });
    assert.deepEqual(result.user, { user_id: 12, name: "Ken Thompson", email: "ken@example.com" });
    assert.ok(result.names.includes("demo.v1.UserService"), JSON.stringify(result.names));
  });

  test("a DynamicClient call before its own init() says to call that init()", async () => {
    const message = await page.browser.run(async (api) => {
      // The core is initialised (the page did it); this instance of the dynamic module is not.
      const { GrpcWebClient } = await import("grpc-web-wasm");
      const url = new URL("./node_modules/grpc-web-wasm/grpc_web_wasm_dynamic.js?uninitialized", location.href);
      const fresh = await import(url.href);
      try {
        fresh.DynamicClient.fromFileDescriptorSet(new GrpcWebClient(api), new Uint8Array());
        return "no error";
      } catch (e) {
        return e.message;
      }
    }, api);
    assert.match(message, /^grpc-web-wasm\/dynamic: .*not loaded yet: call `await init\(\)` \(the default export of "grpc-web-wasm\/dynamic"\)/);
  });

  test("DynamicClient's errors are the core's GrpcError; it takes only a GrpcWebClient", async () => {
    const result = await page.browser.run(async (api) => {
      const core = await import("grpc-web-wasm");
      const dynamic = await import("grpc-web-wasm/dynamic");
      const client = new core.GrpcWebClient(api, { timeoutMs: 300 });
      const api2 = await dynamic.DynamicClient.fromReflection(client);
      const outcome = async (call) => {
        try {
          await call();
          return "resolved";
        } catch (e) {
          return { isCore: e instanceof core.GrpcError, code: e.codeName, message: e.message };
        }
      };
      const drain = async () => {
        for await (const _ of api2.serverStream("demo.v1.UserService/ListUsers", { pageSize: 5, delayMs: 2000 }));
      };
      return {
        notFound: await outcome(() => api2.call("demo.v1.UserService/GetUser", { userId: 99 })),
        notAClient: await outcome(() => dynamic.DynamicClient.fromReflection(api)),
        // The client's options came along: its 300 ms deadline ends a 2 s stream.
        deadline: (await outcome(drain)).code,
        exports: { dynamic: "DynamicClient" in dynamic, client: "GrpcWebClient" in dynamic },
      };
    }, api);
    assert.deepEqual(result.notFound, { isCore: true, code: "NOT_FOUND", message: "user 99 not found" });
    assert.equal(result.notAClient.isCore, true);
    assert.equal(result.notAClient.code, "INVALID_ARGUMENT");
    assert.match(result.notAClient.message, /GrpcWebClient/);
    assert.equal(result.deadline, "DEADLINE_EXCEEDED");
    assert.deepEqual(result.exports, { dynamic: true, client: false });
  });

  test("DynamicClient streams plain objects both ways, and names the right call for each kind", async () => {
    const result = await inPage(async ({ GrpcWebClient, DynamicClient }, api) => {
      const client = new GrpcWebClient(api);
      const dynamic = await DynamicClient.fromReflection(client);
      const record = dynamic.clientStream("demo.v1.TelemetryService/Record");
      for (const [x, y, atMs] of [[0, 0, 100], [3, 4, 150], [3, 0, 200]]) record.send({ x, y, atMs });
      let badField = "accepted";
      try {
        record.send({ z: 1 });
      } catch (e) {
        badField = e.codeName;
      }
      record.close();
      const summary = await record.response;

      const echo = dynamic.bidiStream("grpc.testing.TestService/FullDuplexCall");
      const sizes = [];
      for (const size of [5, 300]) {
        echo.send({ responseParameters: [{ size }] });
        const { value } = await echo.next();
        sizes.push(atob(value.payload.body).length);
      }
      echo.close();
      const end = await echo.next();

      const wrong = async (make) => {
        try {
          const call = make();
          await (call.response ?? call.next());
          return "resolved";
        } catch (e) {
          return `${e.codeName}: ${e.message}`;
        }
      };
      return {
        summary,
        badField,
        sizes,
        end: end.done,
        unary: await wrong(() => dynamic.clientStream("demo.v1.UserService/GetUser")),
        bidi: await wrong(() => dynamic.clientStream("demo.v1.TelemetryService/Echo")),
        client: await wrong(() => dynamic.bidiStream("demo.v1.TelemetryService/Record")),
        unknown: await wrong(() => dynamic.bidiStream("demo.v1.Nope/Nope")),
      };
    });
    const s = result.summary;
    assert.deepEqual([s.samples, s.durationMs, s.rateHz, s.pathLength, s.maxY], ["3", 100, 20, 9, 4]);
    assert.equal(result.badField, "INVALID_ARGUMENT");
    assert.deepEqual(result.sizes, [5, 300]);
    assert.equal(result.end, true);
    assert.match(result.unary, /^INVALID_ARGUMENT: demo.v1.UserService\/GetUser is unary: use call\(\)/);
    assert.match(result.bidi, /^INVALID_ARGUMENT: demo.v1.TelemetryService\/Echo is bidi: use bidiStream\(\)/);
    assert.match(result.client, /^INVALID_ARGUMENT: demo.v1.TelemetryService\/Record is client-streaming: use clientStream\(\)/);
    assert.match(result.unknown, /^(NOT_FOUND|INVALID_ARGUMENT|UNIMPLEMENTED): /);
  });
});
