// Batches: a server stream's messages cross from wasm into JavaScript a chunk at a time, and
// the iterator yields them one by one. These tests hold the batch path to what one message
// per step promised: order, an error after the messages before it, cancellation in the middle
// of a batch (the fetch is aborted, the server sees it), and flat memory on a long stream.
// Run by `cargo xtask test` beside the app and API suites, against the same servers.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openApp } from "./page.mjs";

const { inPage } = openApp();

describe("server streams in batches", () => {
  test("every message, in order, through the bytes API and connect-es, small and large ones", async () => {
    const result = await inPage(async (m, api) => {
      // Sizes 0..2999 bytes, with a 20 KiB message every 500: many messages to a chunk,
      // batches packed and unpacked.
      const sizes = Array.from({ length: 3000 }, (_, i) => (i % 500 === 499 ? 20480 : i % 3000));
      const request = m.create(m.StreamingOutputCallRequestSchema, {
        responseParameters: sizes.map((size) => ({ size })),
      });
      const bytes = m.toBinary(m.StreamingOutputCallRequestSchema, request);
      const client = new m.GrpcWebClient(api);
      const got = [];
      let typed = true;
      for await (const b of client.serverStream("/grpc.testing.TestService/StreamingOutputCall", bytes)) {
        typed &&= b instanceof Uint8Array;
        got.push((m.fromBinary(m.StreamingOutputCallResponseSchema, b).payload?.body.length ?? 0));
      }
      const viaConnect = [];
      const interop = m.createClient(m.TestService, m.createGrpcWebWasmTransport({ baseUrl: api }));
      for await (const r of interop.streamingOutputCall(request)) viaConnect.push(r.payload?.body.length ?? 0);
      const same = (a) => a.length === sizes.length && a.every((n, i) => n === sizes[i]);
      return { bytes: same(got), connect: same(viaConnect), typed, count: got.length };
    });
    assert.deepEqual(result, { bytes: true, connect: true, typed: true, count: 3000 });
  });

  test("a stream read in chunks cut inside frame headers and messages comes whole: binary, text and gzip", async () => {
    const result = await inPage(async (m, api, fault) => {
      // The fixture writes ids 1..7 (payloads of 3, 0, 300, 0, 1, 70000, 2 bytes, each byte
      // its id) in four pieces, 60 ms apart; the trailers share the last one.
      const read = async (mode, options) => {
        const stream = new m.GrpcWebClient(`${fault}/split/${mode}`, options).serverStream("demo.v1.UserService/GetUser", new Uint8Array());
        const got = [];
        for await (const b of stream) got.push(b.length === 0 ? "0" : `${b[0]}x${b.length}:${b.every((x) => x === b[0])}`);
        return `${got.join(" ")} ${stream.trailers["grpc-status"]}`;
      };
      return {
        binary: await read("binary", {}),
        text: await read("text", { mode: "text" }),
        gzip: await read("gzip", { acceptCompressed: "gzip" }),
      };
    });
    const want = "1x3:true 0 3x300:true 0 5x1:true 6x70000:true 7x2:true 0";
    assert.deepEqual(result, { binary: want, text: want, gzip: want });
  });

  test("an error after messages comes after every one of them, with its trailers", async () => {
    const result = await inPage(async (m, api, fault) => {
      const request = m.toBinary(
        m.StreamingOutputCallRequestSchema,
        m.create(m.StreamingOutputCallRequestSchema, {
          responseParameters: Array.from({ length: 50 }, (_, i) => ({ size: i + 1 })),
          responseStatus: { code: 9, message: "after fifty" },
        }),
      );
      const stream = new m.GrpcWebClient(api).serverStream("/grpc.testing.TestService/StreamingOutputCall", request);
      const sizes = [];
      let error;
      try {
        for await (const b of stream) sizes.push((m.fromBinary(m.StreamingOutputCallResponseSchema, b).payload?.body.length ?? 0));
      } catch (e) {
        error = { grpc: e instanceof m.GrpcError, code: e.codeName, message: e.message };
      }
      const after = await stream.next();
      // A failure in the middle of a chunk, after fifty messages in it (the misbehaving peer
      // sends a frame with a reserved flag): it comes in the same batch as they do.
      const oneChunk = new m.GrpcWebClient(`${fault}/messages-then-bad-frame`).serverStream("demo.v1.UserService/GetUser", new Uint8Array());
      const ids = [];
      let chunkError;
      try {
        for await (const b of oneChunk) ids.push(b[1]);
      } catch (e) {
        chunkError = { code: e.codeName, reserved: /reserved flag/.test(e.message) };
      }
      return {
        inOrder: sizes.length === 50 && sizes.every((n, i) => n === i + 1),
        error,
        status: stream.trailers["grpc-status"],
        headers: typeof stream.headers,
        after: after.done,
        oneChunk: ids.length === 50 && ids.every((id, i) => id === i + 1),
        chunkError,
      };
    });
    assert.deepEqual(result, {
      inOrder: true,
      error: { grpc: true, code: "FAILED_PRECONDITION", message: "after fifty" },
      status: "9",
      headers: "object",
      after: true,
      oneChunk: true,
      chunkError: { code: "INTERNAL", reserved: true },
    });
  });

  test("a break in the middle of a batch aborts the fetch at once; the rest is never yielded", async () => {
    const result = await inPage(async (m, api, fault) => {
      const hangups = async () =>
        (await new m.GrpcWebClient(`${fault}/hangups`).unary("demo.v1.UserService/GetUser", new Uint8Array())).message[1];
      const seen = async (before) => {
        let now = before;
        for (let i = 0; i < 50 && now === before; i++) {
          await new Promise((r) => setTimeout(r, 100));
          now = await hangups();
        }
        return now - before;
      };
      // Eight messages in one chunk, then a stall: they come as one batch.
      const client = new m.GrpcWebClient(`${fault}/stall-batch`);
      const path = "demo.v1.UserService/GetUser";
      let before = await hangups();
      const stream = client.serverStream(path, new Uint8Array());
      const ids = [];
      for await (const b of stream) {
        ids.push(b[1]);
        if (ids.length === 3) break;
      }
      const afterBreak = await stream.next();
      const brokeHungUp = await seen(before);
      // cancel() between two messages of a batch, with no read pending.
      before = await hangups();
      const cancelled = client.serverStream(path, new Uint8Array());
      const first = await cancelled.next();
      cancelled.cancel();
      const afterCancel = await cancelled.next();
      const cancelHungUp = await seen(before);
      return { ids, afterBreak: afterBreak.done, brokeHungUp, first: first.value[1], afterCancel: afterCancel.done, cancelHungUp };
    });
    assert.deepEqual(result, { ids: [1, 2, 3], afterBreak: true, brokeHungUp: 1, first: 1, afterCancel: true, cancelHungUp: 1 });
  });

  test("batches() yields the same messages in order, an array per batch, after what next() took; a break cancels", async () => {
    const result = await inPage(async (m, api, fault) => {
      const sizes = Array.from({ length: 2000 }, (_, i) => (i % 400 === 399 ? 20480 : i % 700));
      const bytes = m.toBinary(
        m.StreamingOutputCallRequestSchema,
        m.create(m.StreamingOutputCallRequestSchema, {
          responseParameters: sizes.map((size) => ({ size })),
          responseStatus: { code: 9, message: "after all" },
        }),
      );
      const stream = new m.GrpcWebClient(api).serverStream("/grpc.testing.TestService/StreamingOutputCall", bytes);
      const size = (b) => m.fromBinary(m.StreamingOutputCallResponseSchema, b).payload?.body.length ?? 0;
      // Two taken one at a time first: the batches go on from the third.
      const got = [size((await stream.next()).value), size((await stream.next()).value)];
      let batches = 0;
      let arrays = true;
      let error;
      try {
        for await (const batch of stream.batches()) {
          batches++;
          arrays &&= Array.isArray(batch) && batch.length > 0 && batch.every((b) => b instanceof Uint8Array);
          for (const b of batch) got.push(size(b));
        }
      } catch (e) {
        error = e.codeName;
      }
      // A break out of the batches' loop cancels the call: the fetch is aborted.
      const hangups = async () =>
        (await new m.GrpcWebClient(`${fault}/hangups`).unary("demo.v1.UserService/GetUser", new Uint8Array())).message[1];
      const before = await hangups();
      const stalled = new m.GrpcWebClient(`${fault}/stall-batch`).serverStream("demo.v1.UserService/GetUser", new Uint8Array());
      let first;
      for await (const batch of stalled.batches()) {
        // The eight messages the peer writes at once, or the first of them.
        first = batch.length > 0 && batch.every((b, i) => b[1] === i + 1);
        break;
      }
      const afterBreak = await stalled.next();
      let now = before;
      for (let i = 0; i < 50 && now === before; i++) {
        await new Promise((r) => setTimeout(r, 100));
        now = await hangups();
      }
      return {
        same: got.length === sizes.length && got.every((n, i) => n === sizes[i]),
        fewer: batches < sizes.length - 2,
        arrays,
        error,
        first,
        afterBreak: afterBreak.done,
        hungUp: now - before,
      };
    });
    assert.deepEqual(result, {
      same: true,
      fewer: true,
      arrays: true,
      error: "FAILED_PRECONDITION",
      first: true,
      afterBreak: true,
      hungUp: 1,
    });
  });

  test("memory stays flat over a long stream of small messages and one of large ones", async () => {
    const result = await inPage(async (m, api) => {
      const wasm = await m.init();
      const client = new m.GrpcWebClient(api);
      const run = async (count, size) => {
        const request = m.toBinary(
          m.StreamingOutputCallRequestSchema,
          m.create(m.StreamingOutputCallRequestSchema, {
            responseParameters: Array.from({ length: count }, () => ({ size })),
          }),
        );
        let n = 0;
        for await (const b of client.serverStream("/grpc.testing.TestService/StreamingOutputCall", request)) n += b.length;
        return n;
      };
      // The same long streams three times: the first makes whatever buffers they need, and
      // the next two must not grow the module (a batch kept, or a read ahead, would).
      const sizes = [];
      let ok = true;
      for (let i = 0; i < 3; i++) {
        ok &&= (await run(200000, 100)) >= 200000 * 100;
        ok &&= (await run(800, 65536)) >= 800 * 65536;
        sizes.push(wasm.memory.buffer.byteLength / 1024);
      }
      return { ok, grownKiB: sizes[2] - sizes[0] };
    });
    // 20 MB of small messages and 52 MB of large ones, twice, after the first time.
    assert.equal(result.ok, true);
    assert.equal(result.grownKiB, 0, `wasm memory grew by ${result.grownKiB} KiB`);
  });
});
