// The package's API in headless Chromium, errors: GrpcError, INVALID_ARGUMENT for bad input
// and bad arguments (the module never traps), metadata kept on failed calls, and a call
// before init(). Run by `cargo xtask test` against the servers it starts, with the packed
// package.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openApp, packageRunner } from "./page.mjs";

const page = openApp();
const { api, fault } = page;
const inPage = packageRunner(page);

describe("the API", () => {
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
});
