// The benchmark harness, run by `cargo xtask bench` in headless Chromium. It loads every
// contender, runs each workload against each server with the contenders interleaved
// (A B C D, B C D A, C D A B, ...: the order rotates each round) for a warm-up round and
// then the measured rounds, and posts one tab-separated row per figure to the page's
// server, which computes the statistics. A
// latency distribution goes as one row per call (metric "call ms"): the server takes its
// percentiles per round and over all rounds pooled.
//
// The page is served cross-origin isolated (COOP + COEP), which is what gives
// performance.now() a fine resolution; it reports whether it is, and the resolution it sees.
//
// Every contender has the same shape: unarySeq(base, n, size) -> per-call ms,
// unaryConcurrent(base, total, inflight, size) -> ms, stream(base, count, size, text) ->
// [first message ms, total ms, messages, bytes], memory() -> wasm memory bytes or null.
// A contender for streams alone has no unarySeq and skips the unary workloads.

const post = (path, body) => fetch(path, { method: "POST", body });
const log = (msg) => post("/log", msg);

async function rust(name, module) {
  const m = await import(module);
  const wasm = await m.default();
  return {
    text: name === "ours",
    socket: name === "ours",
    pingPong: async (...a) => Array.from(await m.ping_pong(...a)),
    upload: (...a) => m.upload(...a),
    socketStream: async (...a) => Array.from(await m.socket_stream(...a)),
    unarySeq: async (...a) => Array.from(await m.unary_seq(...a)),
    unaryConcurrent: (...a) => m.unary_concurrent(...a),
    stream: async (...a) => Array.from(await m.stream(...a)),
    memory: () => wasm.memory.buffer.byteLength,
  };
}

async function load(name) {
  switch (name) {
    case "raw fetch (BYOB)":
      return (await import("./raw.js")).contender(true);
    case "raw fetch (default reader)":
      return (await import("./raw.js")).contender(false);
    case "ours":
      return rust(name, "./ours/bench_ours.js");
    case "tonic-web-wasm-client":
      return rust(name, "./tonic-web/bench_tonic_web.js");
    case "connect-web":
      return (await import("./connect.js")).contender();
    case "ours, npm bytes API":
      return (await import("./npm-bytes.js")).contender("bytes");
    case "connect-es over ours":
      return (await import("./npm-connect.js")).contender("connect");
    case "ours, npm bytes API, batches":
      return (await import("./npm-batches.js")).contender("batches");
  }
  throw new Error(`unknown contender ${name}`);
}

const KiB = 1024;
const MiB = 1024 * KiB;
const MB = 1e6;

// The clock's resolution as this page sees it: the smallest nonzero step between successive
// performance.now() readings over about 50 ms. Chromium coarsens the clock to 100 µs unless
// the page is cross-origin isolated (then 5 µs); a latency near 1 ms needs the fine one.
function timerResolution() {
  const end = performance.now() + 50;
  let smallest = Infinity;
  let last = performance.now();
  while (last < end) {
    const now = performance.now();
    if (now > last) smallest = Math.min(smallest, now - last);
    last = now;
  }
  return smallest;
}

// Each workload: a name, whether a contender can run it, and a run that returns
// [[metric, "high"|"low" (which is better; "-": not compared with raw fetch), value], ...];
// a value may be an array (every call's latency), posted one row per element.
function workloads(n) {
  const streamMetrics = (r) => [
    ["MB/s", "high", r[3] / MB / (r[1] / 1000)],
    ["first message ms (one per round)", "low", r[0]],
  ];
  return [
    {
      name: "unary small (16 B), sequential",
      only: (c) => c.unarySeq !== undefined,
      run: async (c, base) => {
        return [["call ms", "low", await c.unarySeq(base, n.seq, 16)]];
      },
    },
    {
      name: "unary small, 32 in flight",
      only: (c) => c.unarySeq !== undefined,
      run: async (c, base) => {
        const ms = await c.unaryConcurrent(base, n.concurrent, 32, 16);
        return [["calls/s", "high", n.concurrent / (ms / 1000)]];
      },
    },
    {
      name: "unary 1 MiB response",
      only: (c) => c.unarySeq !== undefined,
      run: async (c, base) => {
        const t = await c.unarySeq(base, n.big, MiB);
        const ms = t.reduce((a, b) => a + b, 0);
        return [["MB/s", "high", (n.big * MiB) / MB / (ms / 1000)]];
      },
    },
    {
      name: `server stream ${n.big_stream} × 64 KiB`,
      run: async (c, base) => streamMetrics(await c.stream(base, n.big_stream, 64 * KiB, false)),
    },
    {
      // The big stream's own first message is one sample per round, taken just after the
      // previous contender's 64 MB stream, and swings by 10 ms; here it is a distribution.
      name: `server stream, first 64 KiB message (${n.first_streams} streams of 4)`,
      run: async (c, base) => {
        const ms = [];
        for (let i = 0; i < n.first_streams; i++) {
          ms.push((await c.stream(base, 4, 64 * KiB, false))[0]);
        }
        return [["call ms", "low", ms]];
      },
    },
    {
      name: `server stream ${n.small_stream} × 100 B`,
      run: async (c, base) => {
        const r = await c.stream(base, n.small_stream, 100, false);
        return [["msgs/s", "high", r[2] / (r[1] / 1000)], ["first message ms (one per round)", "low", r[0]]];
      },
    },
    // Over a WebSocket: ours alone, against the server with the bridge. The baselines are
    // the rows above a user would otherwise build on: a unary call per message (sequential
    // for latency, 32 in flight for rate) and the server stream over fetch.
    {
      name: `bidi ping-pong, 16 B each way, one WebSocket (${n.seq} round trips)`,
      only: (c) => c.socket,
      servers: ["tonic"],
      run: async (c, base) => [["call ms", "low", await c.pingPong(base, n.seq, 16)]],
    },
    {
      name: `client stream ${n.small_stream} × 100 B up one WebSocket`,
      only: (c) => c.socket,
      servers: ["tonic"],
      run: async (c, base) => {
        const ms = await c.upload(base, n.small_stream, 100);
        return [["msgs/s", "high", n.small_stream / (ms / 1000)]];
      },
    },
    {
      name: `bidi stream ${n.small_stream} × 100 B down one WebSocket`,
      only: (c) => c.socket,
      servers: ["tonic"],
      run: async (c, base) => {
        const r = await c.socketStream(base, n.small_stream, 100);
        return [["msgs/s", "high", r[2] / (r[1] / 1000)], ["first message ms (one per round)", "low", r[0]]];
      },
    },
    {
      name: `text mode stream ${n.text_stream} × 64 KiB`,
      only: (c) => c.text,
      run: async (c, base) => streamMetrics(await c.stream(base, n.text_stream, 64 * KiB, true)),
    },
  ];
}

function heap() {
  if (globalThis.gc) globalThis.gc();
  return performance.memory ? performance.memory.usedJSHeapSize : NaN;
}

async function main() {
  const cfg = await (await fetch("./config.json")).json();
  const rows = [
    ["meta", "-", "-", "user agent", "-", "-", navigator.userAgent],
    ["meta", "-", "-", "cross-origin isolated", "-", "-", String(self.crossOriginIsolated)],
    ["meta", "-", "-", "timer resolution ms", "-", "-", timerResolution()],
  ];
  const contenders = [];
  for (const name of cfg.contenders) {
    contenders.push([name, await load(name)]);
  }
  // The size comparison's minimal apps, once each: the bytes measured must work.
  for (const path of cfg.minimal) {
    const m = await import(path);
    if (m.default) await m.default();
    const n = await m.run(cfg.servers.tonic);
    if (n !== 24) throw new Error(`minimal app ${path} received ${n} payload bytes, want 24`);
  }
  // `--only`: a focused run of the workloads named, without the memory stream.
  const list = workloads(cfg.sizes).filter(
    (w) => cfg.only.length === 0 || cfg.only.some((o) => w.name.includes(o)),
  );
  // Round 0 is the warm-up: it also lets the replay server record every response.
  for (let round = 0; round <= cfg.rounds; round++) {
    for (const w of list) {
      for (const [server, base] of Object.entries(cfg.servers)) {
        // Each round starts one contender later, so none always runs right after the same
        // other (whose garbage, connections or server state it would inherit).
        for (let k = 0; k < contenders.length; k++) {
          const [name, c] = contenders[(k + round) % contenders.length];
          if (w.only && !w.only(c)) continue;
          if (w.servers && !w.servers.includes(server)) continue;
          const figures = await w.run(c, base).catch((e) => {
            throw new Error(`${name}, ${w.name}, ${server}: ${e.message ?? e}`);
          });
          if (round === 0) continue;
          for (const [metric, better, value] of figures) {
            for (const v of Array.isArray(value) ? value : [value]) {
              rows.push([w.name, server, name, metric, better, round, v]);
            }
          }
        }
      }
    }
    log(round === 0 ? "warm-up round done" : `round ${round} of ${cfg.rounds} done`);
  }
  // Memory: one long stream from the real server per contender.
  if (cfg.only.length > 0) {
    await post("/results", rows.map((r) => r.join("\t")).join("\n"));
    document.getElementById("status").textContent = "done";
    return;
  }
  const count = Math.round(cfg.memory_bytes / (64 * KiB));
  const memName = `memory, stream ${count} × 64 KiB (${(cfg.memory_bytes / MiB).toFixed(0)} MiB)`;
  for (const [name, c] of contenders) {
    const wasm = c.memory() !== null;
    const before = wasm ? c.memory() : heap();
    await c.stream(cfg.servers.tonic, count, 64 * KiB, false);
    const after = wasm ? c.memory() : heap();
    const what = wasm ? "wasm memory MiB" : "JS heap MiB";
    rows.push([memName, "tonic", name, `${what} before`, "-", 1, before / MiB]);
    rows.push([memName, "tonic", name, `${what} after`, "-", 1, after / MiB]);
  }
  log("memory done");
  await post("/results", rows.map((r) => r.join("\t")).join("\n"));
  document.getElementById("status").textContent = "done";
}

main().catch((e) => {
  document.getElementById("status").textContent = `failed: ${e}`;
  post("/error", String(e && e.stack ? `${e}\n${e.stack}` : e));
});
