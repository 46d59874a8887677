// Contenders "raw fetch (BYOB)" and "raw fetch (default reader)": the floor no gRPC-Web
// client can beat. Each POSTs a byte-identical gRPC-Web request body, encoded once before the
// clock starts, and reads the reply to the end without decoding any frame: one through a BYOB
// reader into one reused buffer, one through the default reader (a new chunk per read). The
// report takes the better of the two per workload as the floor. In text mode both also decode
// the base64 with the browser's own decoder (`setFromBase64`), since a client must decode to
// deliver anything.

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

// Text mode: base64 decoded as it arrives into one reused buffer. Servers encode each body
// chunk on its own, so padding may come mid-body: each padded run is decoded on its own, and
// an incomplete quantum waits for the next chunk.
class Base64Sink {
  constructor() {
    this.carry = "";
    this.text = new TextDecoder();
    this.out = new Uint8Array(1 << 20);
    this.bytes = 0;
  }

  push(chunk) {
    const s = this.carry + this.text.decode(chunk, { stream: true });
    let pos = 0;
    while (pos < s.length) {
      const eq = s.indexOf("=", pos);
      let end = eq < 0 ? pos + Math.floor((s.length - pos) / 4) * 4 : eq + 1;
      if (eq >= 0 && s[end] === "=") end++;
      if ((end - pos) % 4 !== 0 || end === pos) break;
      this.decode(s.slice(pos, end));
      pos = end;
    }
    this.carry = s.slice(pos);
  }

  decode(base64) {
    const need = (base64.length / 4) * 3;
    if (this.out.length < need) this.out = new Uint8Array(need);
    this.bytes += this.out.setFromBase64(base64).written;
  }
}

// Reads the whole body; returns [ms to the first chunk, bytes read (decoded, in text mode)].
async function drain(response, start, byob, text) {
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const sink = text ? new Base64Sink() : null;
  let first = -1;
  let bytes = 0;
  const got = (value) => {
    if (first < 0) first = performance.now() - start;
    if (sink) sink.push(value);
    else bytes += value.length;
  };
  if (byob) {
    const reader = response.body.getReader({ mode: "byob" });
    let buffer = new ArrayBuffer(256 * 1024);
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(buffer));
      if (done) break;
      got(value);
      buffer = value.buffer;
    }
  } else {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      got(value);
    }
  }
  return [first, sink ? sink.bytes : bytes];
}

const METHOD = "/grpc.testing.TestService/";

/** `byob`: read with a BYOB reader into one reused buffer, else with the default reader. */
export function contender(byob) {
  const unary = async (url, req, size) => {
    const start = performance.now();
    const [, bytes] = await drain(await fetch(url, req), start, byob, false);
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
      const [first, bytes] = await drain(await fetch(base + METHOD + "StreamingOutputCall", req), start, byob, text);
      const total = performance.now() - start;
      // Whole frames carry at least the payloads (decoded from base64 in text mode).
      if (bytes < count * size) throw new Error(`raw stream read ${bytes} bytes, want >= ${count * size}`);
      return [first, total, count, count * size];
    },
    memory: () => null,
  };
}
