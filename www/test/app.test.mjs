// The app and the package's JavaScript API in headless Chromium, against the real server
// that `cargo xtask test` starts (GRPC_WEB_TEST_SERVER). The package under test is the one
// `npm pack` produced, installed into www/node_modules.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openApp } from "./page.mjs";

const page = openApp();
const { api, fault } = page;

describe("the page", () => {
  test("GetUser shows the user", async () => {
    await page.browser.type("#user-id", "1");
    await page.browser.click("#get-user");
    const text = await page.browser.waitText("#user", (t) => t !== "…" && t !== "");
    assert.equal(text, "#1 Ada Lovelace <ada@example.com>");
  });

  test("GetUser of an unknown id shows NOT_FOUND", async () => {
    await page.browser.type("#user-id", "4242");
    await page.browser.click("#get-user");
    const text = await page.browser.waitText("#user", (t) => t !== "…" && t !== "");
    assert.equal(text, "NOT_FOUND: user 4242 not found");
  });

  test("ListUsers streams the matching users into the list", async () => {
    await page.browser.type("#name-contains", "an");
    await page.browser.click("#list-users");
    const status = await page.browser.waitText("#list-status", (t) => t.startsWith("done") || t.includes(":"));
    const items = await page.browser.run(() => [...document.querySelectorAll("#users li")].map((li) => li.textContent));
    assert.equal(status, `done: ${items.length} users`);
    assert.ok(items.length >= 3, JSON.stringify(items));
    for (const item of items) assert.match(item, /^#\d+ .*an.* <.*@example\.com>$/i);
    assert.ok(items.includes("#2 Alan Turing <alan@example.com>"), JSON.stringify(items));
  });

  test("cancelling a slow stream stops it with CANCELLED", async () => {
    await page.browser.type("#name-contains", "");
    await page.browser.type("#delay-ms", "400");
    await page.browser.click("#list-users");
    await page.browser.waitText("#users", (t) => t.includes("Ada"));
    await page.browser.click("#cancel-list");
    const status = await page.browser.waitText("#list-status", (t) => t !== "streaming…");
    assert.match(status, /^CANCELLED: /);
    const count = await page.browser.run(() => document.querySelectorAll("#users li").length);
    assert.ok(count < 12, `all ${count} users arrived despite the cancel`);
    await page.browser.type("#delay-ms", "0");
  });

  test("reflection lists the services, and a dynamic call answers in JSON", async () => {
    await page.browser.click("#discover");
    const services = await page.browser.waitText("#services", (t) => t.includes("UserService"));
    assert.match(services, /demo\.v1\.UserService\/GetUser \(demo\.v1\.UserRequest → demo\.v1\.UserResponse, unary\)/);
    assert.match(services, /demo\.v1\.UserService\/ListUsers .*server streaming/);
    await page.browser.type("#request", '{ "userId": 3 }');
    await page.browser.click("#call");
    const reply = await page.browser.waitText("#reply", (t) => t !== "…" && t !== "");
    assert.deepEqual(JSON.parse(reply), { userId: 3, name: "Grace Hopper", email: "grace@example.com" });
  });

  test("methods that stream requests are labelled, and called with a JSON array over a WebSocket", async () => {
    const services = await page.browser.text("#services");
    assert.match(services, /demo\.v1\.TelemetryService\/Record \(demo\.v1\.Sample → demo\.v1\.Summary, client streaming\)/);
    assert.match(services, /demo\.v1\.TelemetryService\/Echo .*bidi\)/);
    await page.browser.run(() => {
      document.querySelector("#method").value = "demo.v1.TelemetryService/Record";
      document.querySelector("#reply").textContent = "";
    });
    await page.browser.type("#request", '[{ "x": 0, "y": 0, "atMs": 0 }, { "x": 6, "y": 8, "atMs": 500 }]');
    await page.browser.click("#call");
    const reply = JSON.parse(await page.browser.waitText("#reply", (t) => t !== "…" && t !== ""));
    assert.deepEqual([reply.samples, reply.pathLength, reply.rateHz], ["2", 10, 2]);
  });
});

/**
 * Runs `body(pkg, api, fault)` in the page with the package imported as an app would (the
 * core, and DynamicClient from its own entry; the page initialised both); `fault` is the
 * misbehaving peer's base URL.
 */
const inPage = (body) =>
  page.browser.run(
    async (source, api, fault) => {
      const [core, dynamic] = await Promise.all([import("grpc-web-wasm"), import("grpc-web-wasm/dynamic")]);
      const pkg = { ...core, DynamicClient: dynamic.DynamicClient };
      return new Function("pkg", "api", "fault", `return (${source})(pkg, api, fault);`)(pkg, api, fault);
    },
    body.toString(),
    api,
    fault,
  );

describe("the API", () => {
  test("unary resolves to message bytes, headers and trailers", async () => {
    const result = await inPage(async ({ GrpcWebClient }, api) => {
      const reply = await new GrpcWebClient(api).unary("demo.v1.UserService/GetUser", new Uint8Array([8, 2]));
      return {
        isBytes: reply.message instanceof Uint8Array,
        text: new TextDecoder().decode(reply.message),
        status: reply.trailers["grpc-status"],
        headers: typeof reply.headers,
      };
    });
    assert.equal(result.isBytes, true);
    assert.match(result.text, /Alan Turing/);
    assert.equal(result.status, "0");
    assert.equal(result.headers, "object");
  });

  test("a failed call throws a GrpcError that is an Error", async () => {
    const result = await inPage(async ({ GrpcWebClient, GrpcError }, api) => {
      try {
        await new GrpcWebClient(api).unary("/demo.v1.UserService/GetUser", new Uint8Array([8, 99]));
        return "resolved";
      } catch (e) {
        return {
          grpc: e instanceof GrpcError,
          error: e instanceof Error,
          name: e.name,
          code: e.code,
          codeName: e.codeName,
          message: e.message,
          details: Array.isArray(e.details),
          metadata: e.metadata["grpc-status"],
          stack: typeof e.stack,
        };
      }
    });
    assert.deepEqual(result, {
      grpc: true,
      error: true,
      name: "GrpcError",
      code: 5,
      codeName: "NOT_FOUND",
      message: "user 99 not found",
      details: true,
      metadata: "5",
      stack: "string",
    });
  });

  test("timeoutMs ends a slow stream with DEADLINE_EXCEEDED", async () => {
    const result = await inPage(async ({ GrpcWebClient, DynamicClient }, api) => {
      const client = new GrpcWebClient(api);
      const dynamic = await DynamicClient.fromReflection(client);
      const seen = [];
      try {
        const stream = dynamic.serverStream("demo.v1.UserService/ListUsers", { delayMs: 300 }, { timeoutMs: 700 });
        for await (const user of stream) seen.push(user.name);
        return { seen, end: "completed" };
      } catch (e) {
        return { seen, end: e.codeName };
      }
    });
    assert.equal(result.end, "DEADLINE_EXCEEDED");
    assert.ok(result.seen.length >= 1 && result.seen.length < 12, JSON.stringify(result.seen));
  });

  test("an aborted signal cancels a unary call", async () => {
    const codeName = await inPage(async ({ GrpcWebClient }, api) => {
      const controller = new AbortController();
      controller.abort();
      try {
        await new GrpcWebClient(api).unary("/demo.v1.UserService/GetUser", new Uint8Array([8, 1]), {
          signal: controller.signal,
        });
        return "resolved";
      } catch (e) {
        return e.codeName;
      }
    });
    assert.equal(codeName, "CANCELLED");
  });

  test("breaking out of for-await ends the stream early", async () => {
    const result = await inPage(async ({ GrpcWebClient, DynamicClient }, api) => {
      const client = new GrpcWebClient(api);
      const dynamic = await DynamicClient.fromReflection(client);
      const stream = dynamic.serverStream("demo.v1.UserService/ListUsers", {});
      const names = [];
      for await (const user of stream) {
        names.push(user.name);
        if (names.length === 2) break;
      }
      const after = await stream.next();
      return { names, done: after.done, headers: typeof stream.headers };
    });
    assert.deepEqual(result, { names: ["Ada Lovelace", "Alan Turing"], done: true, headers: "object" });
  });

  test("bad input is INVALID_ARGUMENT before anything is sent", async () => {
    const result = await inPage(async ({ GrpcWebClient, DynamicClient }, api) => {
      const client = new GrpcWebClient(api);
      const dynamic = await DynamicClient.fromReflection(client);
      const codes = {};
      const attempt = async (name, fn) => {
        try {
          await fn();
          codes[name] = "no error";
        } catch (e) {
          codes[name] = `${e.codeName}: ${e.message}`;
        }
      };
      await attempt("unknown field", () => dynamic.call("demo.v1.UserService/GetUser", { userID: 1 }));
      await attempt("unknown method", () => dynamic.call("demo.v1.UserService/Nope", {}));
      await attempt("streaming via call", () => dynamic.call("demo.v1.UserService/ListUsers", {}));
      await attempt("bin needs bytes", () =>
        client.unary("/demo.v1.UserService/GetUser", new Uint8Array(), { metadata: { "x-id-bin": "text" } }),
      );
      await attempt("unknown option", () => client.unary("/demo.v1.UserService/GetUser", new Uint8Array(), { timeout: 5 }));
      await attempt("bad client option", () => new GrpcWebClient(api, { mode: "grpc" }));
      return codes;
    });
    for (const [name, outcome] of Object.entries(result)) {
      assert.match(outcome, /^INVALID_ARGUMENT: /, `${name}: ${outcome}`);
    }
    assert.match(result["unknown method"], /demo\.v1\.UserService/);
    assert.match(result["streaming via call"], /serverStream/);
  });

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

  test("cancel() ends a pending next() at once, on a slow stream and on a stalled one", async () => {
    const result = await inPage(async ({ GrpcWebClient, DynamicClient }, api, fault) => {
      const client = new GrpcWebClient(api);
      const dynamic = await DynamicClient.fromReflection(client);
      // Slow: a user every 2 s. The first next() waits for the call to start.
      const slow = dynamic.serverStream("demo.v1.UserService/ListUsers", { delayMs: 2000 });
      const first = await slow.next();
      const pending = slow.next();
      await new Promise((r) => setTimeout(r, 100));
      let t0 = performance.now();
      slow.cancel();
      const slowEnd = await pending;
      const slowMs = performance.now() - t0;
      const slowAfter = await slow.next();
      // Cancelled while it is still starting.
      const starting = dynamic.serverStream("demo.v1.UserService/ListUsers", { delayMs: 2000 });
      const startingNext = starting.next();
      starting.cancel();
      const startingEnd = await startingNext;
      // Stalled: one message, then nothing, ever; the peer counts the hang-up.
      const hangups = async () => (await new GrpcWebClient(`${fault}/hangups`).unary("demo.v1.UserService/GetUser", new Uint8Array()))
        .message[1];
      const before = await hangups();
      const stalled = new GrpcWebClient(`${fault}/stall`).serverStream("demo.v1.UserService/GetUser", new Uint8Array());
      const got = await stalled.next();
      const waiting = stalled.next();
      await new Promise((r) => setTimeout(r, 100));
      t0 = performance.now();
      stalled.cancel();
      const stalledEnd = await waiting;
      const stalledMs = performance.now() - t0;
      let after = before;
      for (let i = 0; i < 50 && after === before; i++) {
        await new Promise((r) => setTimeout(r, 100));
        after = await hangups();
      }
      return {
        first: first.done,
        slowEnd: slowEnd.done,
        slowQuick: slowMs < 1000,
        slowAfter: slowAfter.done,
        startingEnd: startingEnd.done,
        got: got.done,
        stalledEnd: stalledEnd.done,
        stalledQuick: stalledMs < 1000,
        hungUp: after === before + 1,
      };
    });
    assert.deepEqual(result, {
      first: false,
      slowEnd: true,
      slowQuick: true,
      slowAfter: true,
      startingEnd: true,
      got: false,
      stalledEnd: true,
      stalledQuick: true,
      hungUp: true,
    });
  });

  test("repeated -bin metadata keeps every value; a failed call keeps its headers; errors always say something", async () => {
    const result = await inPage(async ({ GrpcWebClient }, api, fault) => {
      const reply = await new GrpcWebClient(`${fault}/repeated-metadata`).unary("demo.v1.UserService/GetUser", new Uint8Array());
      const bytes = (v) => (Array.isArray(v) ? v.map((b) => [...b]) : [...v]);
      const failure = async (base, method) => {
        try {
          await new GrpcWebClient(base).unary(method, new Uint8Array());
          return null;
        } catch (e) {
          return { codeName: e.codeName, message: e.message, headers: e.headers };
        }
      };
      return {
        headerBins: bytes(reply.headers["x-bin"]),
        trailerBins: bytes(reply.trailers["t-bin"]),
        texts: [reply.headers["x-text"], reply.trailers["t-text"]],
        withHeaders: await failure(`${fault}/error-with-headers`, "demo.v1.UserService/GetUser"),
        noMessage: await failure(`${fault}/no-message`, "demo.v1.UserService/GetUser"),
        unknownMethod: await failure(api, "demo.v1.UserService/NoSuchMethod"),
      };
    });
    assert.deepEqual(result.headerBins, [[1], [2]]);
    assert.deepEqual(result.trailerBins, [[1], [2]]);
    assert.deepEqual(result.texts, ["a, b", "a, b"]);
    assert.equal(result.withHeaders.codeName, "NOT_FOUND");
    assert.equal(result.withHeaders.headers["x-served-by"], "fixture");
    assert.equal(result.noMessage.message, "UNIMPLEMENTED (the server sent no message)");
    assert.equal(result.unknownMethod.codeName, "UNIMPLEMENTED");
    assert.notEqual(result.unknownMethod.message, "");
  });

  test("retries: a retry policy, a service config and hedging, against the misbehaving peer", async () => {
    const result = await inPage(async ({ GrpcWebClient }, api, fault) => {
      const key = () => ({ metadata: { "x-retry-key": `www${Math.random()}` } });
      const userId = (reply) => reply.message[1];
      const policy = {
        maxAttempts: 4,
        initialBackoff: "0.01s",
        maxBackoff: "0.01s",
        backoffMultiplier: 1,
        retryableStatusCodes: ["UNAVAILABLE"],
      };
      const outcome = async (promise) => {
        try {
          return userId(await promise);
        } catch (e) {
          return e.codeName;
        }
      };
      const retried = new GrpcWebClient(`${fault}/retry/fail/14/2`, { retryPolicy: policy });
      const configured = new GrpcWebClient(`${fault}/retry/fail/14/1`, {
        serviceConfig: JSON.stringify({
          methodConfig: [{ name: [{ service: "demo.v1.UserService", method: "GetUser" }], retryPolicy: policy }],
          retryThrottling: { maxTokens: 10, tokenRatio: 0.1 },
        }),
      });
      const hedged = new GrpcWebClient(`${fault}/retry/slow-first/3000`, {
        hedgingPolicy: { maxAttempts: 2, hedgingDelay: "0.1s" },
      });
      const started = Date.now();
      const hedge = await outcome(hedged.unary("demo.v1.UserService/GetUser", new Uint8Array(), key()));
      const hedgeMs = Date.now() - started;
      const invalid = (options) => {
        try {
          new GrpcWebClient(api, options);
          return "accepted";
        } catch (e) {
          return e.codeName;
        }
      };
      return {
        retried: await outcome(retried.unary("demo.v1.UserService/GetUser", new Uint8Array(), key())),
        plain: await outcome(new GrpcWebClient(`${fault}/retry/fail/14/2`).unary("demo.v1.UserService/GetUser", new Uint8Array(), key())),
        stream: await outcome(
          (async () => {
            for await (const m of configured.serverStream("demo.v1.UserService/ListUsers", new Uint8Array(), key())) return { message: m };
          })(),
        ),
        configured: await outcome(configured.unary("demo.v1.UserService/GetUser", new Uint8Array(), key())),
        hedge,
        hedgeQuick: hedgeMs < 2000,
        badPolicy: invalid({ retryPolicy: { ...policy, maxAttempts: 1 } }),
        both: invalid({ retryPolicy: policy, serviceConfig: "{}" }),
        notJson: invalid({ serviceConfig: "{" }),
      };
    });
    assert.deepEqual(result, {
      retried: 3,
      plain: "UNAVAILABLE",
      // ListUsers has no policy in the service config: one attempt.
      stream: "UNAVAILABLE",
      configured: 2,
      hedge: 2,
      hedgeQuick: true,
      badPolicy: "INVALID_ARGUMENT",
      both: "INVALID_ARGUMENT",
      notJson: "INVALID_ARGUMENT",
    });
  });

  test("bad arguments never trap the module: INVALID_ARGUMENT, and the client still works", async () => {
    const result = await inPage(async ({ GrpcWebClient }, api) => {
      const client = new GrpcWebClient(api);
      const outcome = async (fn) => {
        try {
          await fn();
          return "no error";
        } catch (e) {
          return e.codeName ?? `${e.name}: ${e.message}`;
        }
      };
      const path = "demo.v1.UserService/GetUser";
      const codes = {
        hugeTimeout: await outcome(() => client.unary(path, new Uint8Array([8, 1]), { timeoutMs: 1e300 })),
        nanTimeout: await outcome(() => client.unary(path, new Uint8Array([8, 1]), { timeoutMs: NaN })),
        negativeSize: await outcome(() => new GrpcWebClient(api, { maxReceiveMessageSize: -1 })),
        fractionalSize: await outcome(() => new GrpcWebClient(api, { maxSendMessageSize: 1.5 })),
        arrayBuffer: await outcome(() => client.unary(path, new ArrayBuffer(2))),
        array: await outcome(() => client.unary(path, [8, 1])),
        string: await outcome(() => client.unary(path, "\x08\x01")),
        streamString: await outcome(async () => {
          for await (const _ of client.serverStream(path, "x")) break;
        }),
      };
      const still = await client.unary(path, new Uint8Array([8, 1]));
      return { codes, still: still.message.length > 0 };
    });
    for (const [name, code] of Object.entries(result.codes)) assert.equal(code, "INVALID_ARGUMENT", name);
    assert.equal(result.still, true);
  });

  test("a call before init() says to call init()", async () => {
    const message = await page.browser.run(async () => {
      // A second instance of the module, under another URL: never initialized.
      const url = new URL("./node_modules/grpc-web-wasm/grpc_web_wasm.js?uninitialized", location.href);
      const fresh = await import(url.href);
      try {
        new fresh.GrpcWebClient("http://127.0.0.1:1");
        return "no error";
      } catch (e) {
        return e.message;
      }
    });
    assert.match(message, /not loaded yet: call `await init\(\)`/);
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

  test("client streaming and bidi calls go over a WebSocket", async () => {
    const result = await inPage(async ({ GrpcWebClient, DynamicClient }, api) => {
      const client = new GrpcWebClient(api);
      const dynamic = await DynamicClient.fromReflection(client);
      const bytes = (n) => btoa("x".repeat(n));
      const up = client.clientStream("grpc.testing.TestService/StreamingInputCall");
      for (const n of [27182, 8, 1828, 45904]) {
        up.send(dynamic.encode("grpc.testing.StreamingInputCallRequest", { payload: { body: bytes(n) } }));
      }
      up.close();
      const reply = dynamic.decode("grpc.testing.StreamingInputCallResponse", (await up.response).message);

      const bidi = client.bidiStream("grpc.testing.TestService/FullDuplexCall", {
        metadata: { "x-grpc-test-echo-initial": "hello" },
      });
      const sizes = [];
      for (const n of [31415, 9]) {
        bidi.send(dynamic.encode("grpc.testing.StreamingOutputCallRequest", { responseParameters: [{ size: n }] }));
        const { value } = await bidi.next();
        const message = dynamic.decode("grpc.testing.StreamingOutputCallResponse", value);
        sizes.push(atob(message.payload.body).length);
      }
      bidi.close();
      const end = await bidi.next();

      const cancelled = client.clientStream("grpc.testing.TestService/StreamingInputCall");
      cancelled.cancel();
      let cancelCode = "resolved";
      try {
        await cancelled.response;
      } catch (e) {
        cancelCode = e.codeName;
      }
      let badSend = "accepted";
      try {
        bidi.send("not bytes");
      } catch (e) {
        badSend = e.codeName;
      }
      return {
        aggregated: reply.aggregatedPayloadSize,
        sizes,
        end: end.done,
        echoed: bidi.headers["x-grpc-test-echo-initial"],
        cancelCode,
        badSend,
      };
    });
    assert.deepEqual(result, {
      aggregated: 74922,
      sizes: [31415, 9],
      end: true,
      echoed: "hello",
      cancelCode: "CANCELLED",
      badSend: "INVALID_ARGUMENT",
    });
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


/**
 * Runs `body(m, api)` in the page, `m` holding the connect-es transport, connect-es itself,
 * protobuf-es and the clients protoc-gen-es generated, each imported as an app would.
 */
const inConnect = (body) =>
  page.browser.run(
    async (source, api) => {
      const [pkg, transport, connect, protobuf, users, telemetry, test, messages] = await Promise.all([
        import("grpc-web-wasm"),
        import("grpc-web-wasm/connect"),
        import("@connectrpc/connect"),
        import("@bufbuild/protobuf"),
        import("./generated/es/demo/v1/users_pb.js"),
        import("./generated/es/demo/v1/telemetry_pb.js"),
        import("./generated/es/grpc/testing/test_pb.js"),
        import("./generated/es/grpc/testing/messages_pb.js"),
      ]);
      await pkg.default();
      const m = { ...transport, ...connect, ...protobuf, ...users, ...telemetry, ...test, ...messages };
      return new Function("m", "api", `return (${source})(m, api);`)(m, api);
    },
    body.toString(),
    api,
  );

describe("connect-es: clients generated by protoc-gen-es over createGrpcWebWasmTransport", () => {
  test("unary, server streaming, errors as ConnectError, headers and trailers", async () => {
    const result = await inConnect(async (m, api) => {
      const seen = [];
      const transport = m.createGrpcWebWasmTransport({
        baseUrl: api,
        interceptors: [(next) => async (req) => (seen.push(req.method.name), next(req))],
      });
      const users = m.createClient(m.UserService, transport);
      const user = await users.getUser({ userId: 2 });
      const names = [];
      for await (const u of users.listUsers({ pageSize: 3 })) names.push(u.name);
      let notFound;
      try {
        await users.getUser({ userId: 404 });
      } catch (e) {
        notFound = { connect: e instanceof m.ConnectError, code: e.code, raw: e.rawMessage };
      }
      const interop = m.createClient(m.TestService, transport);
      let header, trailer;
      const reply = await interop.unaryCall(
        { responseSize: 4 },
        {
          headers: { "x-grpc-test-echo-initial": "hello", "x-grpc-test-echo-trailing-bin": "AQID" },
          onHeader: (h) => (header = h.get("x-grpc-test-echo-initial")),
          onTrailer: (t) => (trailer = t.get("x-grpc-test-echo-trailing-bin")),
        },
      );
      return {
        user: [user.userId, user.name, user.$typeName],
        names,
        notFound,
        payload: reply.payload.body.length,
        header,
        trailer,
        seen,
      };
    });
    assert.deepEqual(result, {
      user: [2, "Alan Turing", "demo.v1.UserResponse"],
      names: ["Ada Lovelace", "Alan Turing", "Grace Hopper"],
      notFound: { connect: true, code: 5, raw: "user 404 not found" },
      payload: 4,
      header: "hello",
      trailer: "AQID",
      seen: ["GetUser", "ListUsers", "GetUser", "UnaryCall"],
    });
  });

  test("client streaming and bidi over a WebSocket; deadlines and signals", async () => {
    const result = await inConnect(async (m, api) => {
      const transport = m.createGrpcWebWasmTransport({ baseUrl: api });
      const telemetry = m.createClient(m.TelemetryService, transport);
      async function* samples() {
        for (const [x, y, atMs] of [[0, 0, 100], [3, 4, 150], [3, 0, 200]]) yield { x, y, atMs };
      }
      const summary = await telemetry.record(samples());
      const interop = m.createClient(m.TestService, transport);
      async function* asks() {
        for (const size of [5, 300]) yield { responseParameters: [{ size }] };
      }
      const sizes = [];
      for await (const r of interop.fullDuplexCall(asks())) sizes.push(r.payload.body.length);
      const code = async (call) => {
        try {
          await call();
          return "resolved";
        } catch (e) {
          return e.code;
        }
      };
      const users = m.createClient(m.UserService, transport);
      const drain = async (stream) => {
        for await (const _ of stream);
      };
      const deadline = await code(() => drain(users.listUsers({ pageSize: 5, delayMs: 2000 }, { timeoutMs: 200 })));
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const aborted = await code(() => drain(users.listUsers({ pageSize: 5, delayMs: 2000 }, { signal: controller.signal })));
      return { samples: String(summary.samples), rate: summary.rateHz, path: summary.pathLength, sizes, deadline, aborted };
    });
    assert.deepEqual(result, { samples: "3", rate: 20, path: 9, sizes: [5, 300], deadline: 4, aborted: 1 });
  });
});

// It leaves the app's page: before the bundlers, which do too.
describe("the core entries alone", () => {
  test("a page importing only the core never fetches DynamicClient's module; importing it does", async () => {
    await page.browser.goto(`${page.site.url}/core.html?server=${encodeURIComponent(api)}`);
    await page.browser.waitText("#wasm", (t) => t !== "");
    const [bytes, connect, wasm] = await Promise.all(["#bytes", "#connect", "#wasm"].map((s) => page.browser.text(s)));
    assert.match(bytes, /^\d+ bytes$/);
    assert.equal(connect, "Alan Turing");
    assert.deepEqual(wasm.split(" "), ["/node_modules/grpc-web-wasm/grpc_web_wasm_bg.wasm"]);
    // The check sees the dynamic module when there is one to see: import it now.
    const later = await page.browser.run(async (api) => {
      const { GrpcWebClient } = await import("grpc-web-wasm");
      const { default: init, DynamicClient } = await import("grpc-web-wasm/dynamic");
      await init();
      const user = await (await DynamicClient.fromReflection(new GrpcWebClient(api))).call(
        "demo.v1.UserService/GetUser",
        { userId: 3 },
      );
      const wasm = performance
        .getEntriesByType("resource")
        .map((e) => new URL(e.name).pathname)
        .filter((p) => p.endsWith(".wasm"));
      return { name: user.name, wasm };
    }, api);
    assert.deepEqual(later, {
      name: "Grace Hopper",
      wasm: ["/node_modules/grpc-web-wasm/grpc_web_wasm_bg.wasm", "/node_modules/grpc-web-wasm/grpc_web_wasm_dynamic_bg.wasm"],
    });
  });
});

// Last: it leaves the app's page. The same small app built from the packed package by each
// bundler (www/bundlers/, built by `npm run bundle:vite` and `bundle:esbuild`), loaded as a
// user would load it: the wasm module must be found where the bundler put it.
describe("bundlers", () => {
  for (const bundler of ["vite", "esbuild"]) {
    test(`the ${bundler} build finds both wasm modules, the dynamic one only once imported`, async () => {
      await page.browser.goto(`${page.site.url}/dist/${bundler}/index.html?server=${encodeURIComponent(api)}`);
      const out = await page.browser.waitText("#out", (t) => t !== "loading…");
      assert.equal(out, "ok: Ada Lovelace, 2 streamed, Grace Hopper; wasm modules: 1, then 2");
    });
  }
});
