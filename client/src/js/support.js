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
 * Wraps a Rust stream (its next() resolves to { done, value }) as an async iterator. Calls
 * to next() are queued, so each one waits for the previous; return() (a `break` out of
 * `for await`) cancels the call.
 */
export function messageStream(raw) {
  let last = Promise.resolve();
  return {
    next() {
      const result = last.then(() => raw.next());
      last = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
    return(value) {
      raw.cancel();
      return Promise.resolve({ done: true, value });
    },
    cancel() {
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
