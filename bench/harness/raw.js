// Contender "raw fetch": the floor no gRPC-Web client can beat. It POSTs a byte-identical
// gRPC-Web request body, encoded once before the clock starts, and reads the reply to the
// end through the body's stream reader without decoding anything.

function varint(n, out) {
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
}

// One data frame around `message`: flags 0, big-endian length.
function frame(message) {
  const out = new Uint8Array(5 + message.length);
  new DataView(out.buffer).setUint32(1, message.length);
  out.set(message, 5);
  return out;
}

// grpc.testing.SimpleRequest { response_size: size } (field 2, varint).
export function simpleRequest(size) {
  const m = [];
  if (size > 0) {
    m.push(0x10);
    varint(size, m);
  }
  return frame(Uint8Array.from(m));
}

// grpc.testing.StreamingOutputCallRequest with `count` ResponseParameters { size } (field 2).
export function streamingRequest(count, size) {
  const param = [0x08];
  varint(size, param);
  const entry = [0x12];
  varint(param.length, entry);
  entry.push(...param);
  const m = new Uint8Array(entry.length * count);
  for (let i = 0; i < count; i++) m.set(entry, i * entry.length);
  return frame(m);
}

function toBase64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

function init(body, text) {
  const type = text ? "application/grpc-web-text" : "application/grpc-web+proto";
  return {
    method: "POST",
    headers: { "content-type": type, accept: type, "x-grpc-web": "1" },
    body: text ? toBase64(body) : body,
  };
}

// Reads the whole body; returns [ms to the first chunk, bytes].
async function drain(response, start) {
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const reader = response.body.getReader();
  let first = -1;
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (first < 0) first = performance.now() - start;
    bytes += value.length;
  }
  return [first, bytes];
}

const METHOD = "/grpc.testing.TestService/";

export function contender() {
  const unary = async (url, req, size) => {
    const start = performance.now();
    const [, bytes] = await drain(await fetch(url, req), start);
    // A frame of the reply holds at least the payload.
    if (bytes < size) throw new Error(`raw unary read ${bytes} bytes, want >= ${size}`);
  };
  return {
    text: true,
    async unarySeq(base, n, size) {
      const url = base + METHOD + "UnaryCall";
      const req = init(simpleRequest(size), false);
      const times = [];
      for (let i = 0; i < n; i++) {
        const start = performance.now();
        await unary(url, req, size);
        times.push(performance.now() - start);
      }
      return times;
    },
    async unaryConcurrent(base, total, inflight, size) {
      const url = base + METHOD + "UnaryCall";
      const req = init(simpleRequest(size), false);
      let issued = 0;
      const worker = async () => {
        while (issued < total) {
          issued++;
          await unary(url, req, size);
        }
      };
      const start = performance.now();
      await Promise.all(Array.from({ length: inflight }, worker));
      return performance.now() - start;
    },
    async stream(base, count, size, text) {
      const req = init(streamingRequest(count, size), text);
      const start = performance.now();
      const [first, bytes] = await drain(await fetch(base + METHOD + "StreamingOutputCall", req), start);
      const total = performance.now() - start;
      // Whole frames carry at least the payloads; base64 is 4/3 of that.
      if (bytes < count * size) throw new Error(`raw stream read ${bytes} bytes, want >= ${count * size}`);
      return [first, total, count, count * size];
    },
    memory: () => null,
  };
}
