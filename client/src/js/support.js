// The two pieces of the npm package that must be real JavaScript: an Error subclass, and the
// async-iterator protocol (wasm-bindgen cannot define symbol-keyed methods). Both are thin
// shells over objects built in Rust (src/js/*.rs).

/**
 * A failed gRPC call: the status code, its name, the message, trailers, details, and the
 * response headers of the reply it came with.
 */
export class GrpcError extends Error {
  constructor(code, codeName, message, metadata, details, headers) {
    super(message);
    this.name = "GrpcError";
    this.code = code;
    this.codeName = codeName;
    this.metadata = metadata;
    this.details = details;
    this.headers = headers;
  }
}

/**
 * Wraps a Rust stream as an async iterator. The Rust side hands over messages in batches
 * (`nextBatch()`: every message its reply has already decoded, at least one; `undefined` at
 * the end), and this yields them one at a time: a chunk of small messages costs one promise
 * from wasm, not one each. Calls to next() are queued, so each one waits for the previous;
 * return() (a `break` out of `for await`) cancels the call and drops what is left of the batch.
 * batches() yields the same messages a batch per step (an Array), for consumers whose
 * per-message work is less than a step of `for await` costs.
 */
export function messageStream(raw) {
  // The batch being yielded: an Array of values, or `buffer` from `base` cut at `bounds`.
  let values = null;
  let buffer = null;
  let base = 0;
  let bounds = null;
  let at = 0;
  let count = 0;
  let over = false;
  let queued = 0;
  let last = Promise.resolve();
  const take = () => {
    const i = at++;
    let value;
    if (values !== null) value = values[i];
    else {
      // A view: a fresh ArrayBuffer per message costs more than a raw fetch spends on it.
      // Not subarray(), which was slower (bench/FINDINGS.md, session 10).
      const start = bounds[2 * i];
      value = new Uint8Array(buffer, base + start, bounds[2 * i + 1] - start);
    }
    if (at === count) values = buffer = bounds = null;
    return { done: false, value };
  };
  const load = (batch) => {
    // A batch that arrives after cancel() is dropped: nothing is yielded after it.
    if (batch === undefined || over) {
      over = true;
      return { done: true, value: undefined };
    }
    if (Array.isArray(batch)) {
      values = batch;
      count = batch.length;
    } else {
      buffer = batch.bytes.buffer;
      base = batch.bytes.byteOffset;
      bounds = batch.bounds;
      count = bounds.length / 2;
    }
    at = 0;
    return take();
  };
  const step = () => {
    if (at < count) return take();
    if (over) return { done: true, value: undefined };
    return raw.nextBatch().then(load);
  };
  // The first message taken and the rest of its batch, as one array.
  const rest = (first) => {
    if (first.done) return first;
    const all = [first.value];
    while (at < count) all.push(take().value);
    return { done: false, value: all };
  };
  const stepAll = () => {
    if (at < count) return rest(take());
    if (over) return { done: true, value: undefined };
    return raw.nextBatch().then((batch) => rest(load(batch)));
  };
  const settled = () => {
    queued--;
  };
  // Both iterators wait in one queue, so messages keep their order whichever asks.
  const queue = (run) => {
    queued++;
    const result = last.then(run);
    last = result.then(settled, settled);
    return result;
  };
  return {
    next() {
      // A message already here, and no earlier call still waiting: no wait at all.
      if (queued === 0 && at < count) return Promise.resolve(take());
      return queue(step);
    },
    batches() {
      const stream = this;
      return {
        next() {
          if (queued === 0 && at < count) return Promise.resolve(rest(take()));
          return queue(stepAll);
        },
        return(value) {
          return stream.return(value);
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    },
    return(value) {
      over = true;
      at = count = 0;
      values = buffer = bounds = null;
      raw.cancel();
      return Promise.resolve({ done: true, value });
    },
    cancel() {
      over = true;
      at = count = 0;
      values = buffer = bounds = null;
      raw.cancel();
    },
    get headers() {
      return raw.headers;
    },
    get trailers() {
      return raw.trailers;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** A client-streaming call: send messages, close, then await `response`. */
export function clientStreamCall(sender, response) {
  return {
    send(message) {
      sender.send(message);
    },
    close() {
      sender.close();
    },
    cancel() {
      sender.cancel();
    },
    response,
  };
}

/** A bidi call: an async iterator of the replies that can also send and close. */
export function bidiStreamCall(sender, raw) {
  const stream = messageStream(raw);
  stream.send = (message) => sender.send(message);
  stream.close = () => sender.close();
  return stream;
}
