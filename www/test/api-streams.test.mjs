// The package's API in headless Chromium, streams: deadlines, breaking out of for-await,
// cancel() on a slow and on a stalled stream, and client streaming and bidi over a WebSocket.
// Run by `cargo xtask test` against the servers it starts, with the packed package.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openApp, packageRunner } from "./page.mjs";

const page = openApp();
const { api, fault } = page;
const inPage = packageRunner(page);

describe("the API", () => {
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
});
