// The package's bytes API in headless Chromium, unary calls: bytes, headers and trailers,
// an aborted signal, and retries and hedging against the misbehaving peer. Run by `cargo
// xtask test` against the servers it starts (GRPC_WEB_TEST_SERVER, GRPC_WEB_TEST_FAULT_SERVER)
// with the package `npm pack` produced, installed into www/node_modules.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openApp, packageRunner } from "./page.mjs";

const page = openApp();
const { api, fault } = page;
const inPage = packageRunner(page);

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
});
