// gzip through the browser's CompressionStream / DecompressionStream (the package has no
// codec of its own): compressed replies from the real server and the fixture, compressed
// requests the server checks, a compression bomb held to the receive limit, and data that is
// not gzip. Run by `cargo xtask test` beside the app and API suites, against the same servers.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openApp } from "./page.mjs";

const { inPage } = openApp();

describe("gzip through the browser's Compression Streams", () => {
  test("compressed replies from the server decode to the same bytes as plain ones, in order", async () => {
    const result = await inPage(async (m, api) => {
      const ask = (compressed) =>
        m.toBinary(m.SimpleRequestSchema, m.create(m.SimpleRequestSchema, { responseSize: 200000, responseCompressed: { value: compressed } }));
      const gzip = new m.GrpcWebClient(api, { acceptCompressed: "gzip" });
      const packed = await gzip.unary("/grpc.testing.TestService/UnaryCall", ask(true));
      const plain = await new m.GrpcWebClient(api).unary("/grpc.testing.TestService/UnaryCall", ask(false));
      const sizes = [10, 70000, 0, 5000, 1];
      const stream = m.toBinary(
        m.StreamingOutputCallRequestSchema,
        m.create(m.StreamingOutputCallRequestSchema, { responseParameters: sizes.map((size) => ({ size })) }),
      );
      const got = [];
      for await (const b of gzip.serverStream("/grpc.testing.TestService/StreamingOutputCall", stream)) {
        got.push(m.fromBinary(m.StreamingOutputCallResponseSchema, b).payload?.body.length ?? 0);
      }
      // connect-es over our transport takes the same option.
      const interop = m.createClient(m.TestService, m.createGrpcWebWasmTransport({ baseUrl: api, acceptCompressed: "gzip" }));
      let encoding;
      const typed = await interop.unaryCall({ responseSize: 3000 }, { onHeader: (h) => (encoding = h.get("grpc-encoding")) });
      // The fixture's gzip frames: a message and a compressed trailer frame (flags 0x81).
      const frames = await new m.GrpcWebClient(`${fault}/gzip`, { acceptCompressed: "gzip" }).unary("demo.v1.UserService/GetUser", new Uint8Array([8, 9]));
      return {
        encoding: [packed.headers["grpc-encoding"], plain.headers["grpc-encoding"] ?? "none", encoding],
        same: packed.message.length === plain.message.length && packed.message.every((b, i) => b === plain.message[i]),
        body: m.fromBinary(m.SimpleResponseSchema, packed.message).payload.body.length,
        stream: got,
        typed: typed.payload.body.length,
        frames: [...frames.message],
        packedTrailer: frames.trailers["x-packed"],
      };
    });
    assert.deepEqual(result, {
      encoding: ["gzip", "none", "gzip"],
      same: true,
      body: 200000,
      stream: [10, 70000, 0, 5000, 1],
      typed: 3000,
      frames: [0x08, 0x09, 0x12, 0x02, 0x67, 0x7a],
      packedTrailer: "yes",
    });
  });

  test("compressed requests reach the server, which checks they are; the accepted encoding is advertised", async () => {
    const result = await inPage(async (m, api, fault) => {
      const request = m.toBinary(
        m.SimpleRequestSchema,
        m.create(m.SimpleRequestSchema, { responseSize: 7, expectCompressed: { value: true }, payload: { body: new Uint8Array(50000).fill(1) } }),
      );
      const outcome = (p) => p.then((r) => r.message.length, (e) => `${e.codeName}: ${e.message}`);
      const compressed = await outcome(new m.GrpcWebClient(api, { sendCompressed: "gzip" }).unary("/grpc.testing.TestService/UnaryCall", request));
      const plain = await outcome(new m.GrpcWebClient(api).unary("/grpc.testing.TestService/UnaryCall", request));
      // Over a WebSocket too: the server inflates each compressed message to what was sent.
      const up = new m.GrpcWebClient(api, { sendCompressed: "gzip" }).clientStream("/grpc.testing.TestService/StreamingInputCall");
      for (const n of [3, 40000]) {
        up.send(m.toBinary(m.StreamingInputCallRequestSchema, m.create(m.StreamingInputCallRequestSchema, {
          payload: { body: new Uint8Array(n) },
          expectCompressed: { value: true },
        })));
      }
      up.close();
      const aggregated = await up.response.then(
        (r) => m.fromBinary(m.StreamingInputCallResponseSchema, r.message).aggregatedPayloadSize,
        (e) => `${e.codeName}: ${e.message}`,
      );
      const echoed = await new m.GrpcWebClient(`${fault}/echo-headers`, { sendCompressed: "gzip", acceptCompressed: "gzip" }).unary("demo.v1.UserService/GetUser", new Uint8Array([8, 1]));
      // The request frame as the fixture received it: flag 1, and gzip of the message.
      const message = new TextEncoder().encode("a request message, ".repeat(100));
      const frame = (await new m.GrpcWebClient(`${fault}/echo-body`, { sendCompressed: "gzip" }).unary("demo.v1.UserService/GetUser", message)).message;
      const length = new DataView(frame.buffer, frame.byteOffset).getUint32(1);
      const inflated = await new Response(new Blob([frame.subarray(5)]).stream().pipeThrough(new DecompressionStream("gzip")))
        .arrayBuffer()
        .then((b) => new Uint8Array(b), () => new TextEncoder().encode("(not gzip)"));
      return {
        compressed,
        plain,
        aggregated,
        sent: echoed.trailers["x-echo-grpc-encoding"],
        accepted: echoed.trailers["x-echo-grpc-accept-encoding"],
        frame: { flag: frame[0], length: length === frame.length - 5, smaller: length < message.length / 10 },
        roundTrip: new TextDecoder().decode(inflated) === new TextDecoder().decode(message),
      };
    });
    assert.deepEqual(result, {
      compressed: 11, // SimpleResponse { payload { body: 7 bytes } }
      plain: "INVALID_ARGUMENT: expected a compressed request",
      aggregated: 40003,
      sent: "gzip",
      accepted: "gzip",
      frame: { flag: 1, length: true, smaller: true },
      roundTrip: true,
    });
  });

  test("text mode compresses and inflates the same way, base64 over the compressed frames", async () => {
    const result = await inPage(async (m, api) => {
      const request = m.toBinary(
        m.SimpleRequestSchema,
        m.create(m.SimpleRequestSchema, {
          responseSize: 100000,
          responseCompressed: { value: true },
          expectCompressed: { value: true },
          payload: { body: new Uint8Array(30000).fill(7) },
        }),
      );
      const client = new m.GrpcWebClient(api, { mode: "text", sendCompressed: "gzip", acceptCompressed: "gzip" });
      const reply = await client.unary("/grpc.testing.TestService/UnaryCall", request);
      return [reply.headers["grpc-encoding"], m.fromBinary(m.SimpleResponseSchema, reply.message).payload.body.length];
    });
    assert.deepEqual(result, ["gzip", 100000]);
  });

  test("a compression bomb stops at the receive limit with RESOURCE_EXHAUSTED; data that is not gzip is INTERNAL, after the messages before it", async () => {
    const result = await inPage(async (m, api, fault) => {
      const failure = (p) => p.then(() => "resolved", (e) => `${e.codeName}: ${e.message}`);
      // 32 MiB of zeros in 200 KB whose CRC is wrong: inflating all of it would end in
      // INTERNAL (the checksum), so RESOURCE_EXHAUSTED shows the inflation stopped early.
      const limited = new m.GrpcWebClient(`${fault}/gzip-bomb`, { acceptCompressed: "gzip", maxReceiveMessageSize: 1048576 });
      const bomb = await failure(limited.unary("demo.v1.UserService/GetUser", new Uint8Array()));
      const roomy = new m.GrpcWebClient(`${fault}/gzip-bomb`, { acceptCompressed: "gzip", maxReceiveMessageSize: 64 << 20 });
      const whole = await failure(roomy.unary("demo.v1.UserService/GetUser", new Uint8Array()));
      const ids = [];
      let end = "no error";
      try {
        const client = new m.GrpcWebClient(`${fault}/gzip-corrupt`, { acceptCompressed: "gzip" });
        for await (const b of client.serverStream("demo.v1.UserService/GetUser", new Uint8Array())) ids.push(b[1]);
      } catch (e) {
        end = `${e.codeName}: ${e.message}`;
      }
      return { bomb, whole, ids, end };
    });
    assert.equal(result.bomb, "RESOURCE_EXHAUSTED: decompressed message exceeds the limit of 1048576 bytes");
    // With room for all of it, the browser inflates it to the end and finds the bad CRC.
    assert.match(result.whole, /^INTERNAL: failed to decompress a gzip message: /);
    assert.deepEqual(result.ids, [1, 2, 3]);
    assert.match(result.end, /^INTERNAL: failed to decompress a gzip message: \w*Error: ./);
  });
});
