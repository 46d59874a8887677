// The harness's contender shape around one unary call and one stream.

/** `c.unary(base, size)` timed sequentially and with calls in flight, beside `c.stream`. */
export function timed(c) {
  return {
    text: c.text,
    async unarySeq(base, n, size) {
      const times = [];
      for (let i = 0; i < n; i++) {
        const start = performance.now();
        await c.unary(base, size);
        times.push(performance.now() - start);
      }
      return times;
    },
    async unaryConcurrent(base, total, inflight, size) {
      let issued = 0;
      const worker = async () => {
        while (issued < total) {
          issued++;
          await c.unary(base, size);
        }
      };
      const start = performance.now();
      await Promise.all(Array.from({ length: inflight }, worker));
      return performance.now() - start;
    },
    stream: c.stream,
    memory: c.memory,
  };
}
