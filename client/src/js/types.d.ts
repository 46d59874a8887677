/** Metadata to send: `-bin` keys take bytes, other keys text; an array sends the key once per value. */
export type MetadataInit = Record<string, string | Uint8Array | ReadonlyArray<string> | ReadonlyArray<Uint8Array>>;

/**
 * Metadata received: text values, repeated keys joined with ", " (as `Headers.get` does);
 * `-bin` values decoded to bytes, or to an array of them when the key is repeated.
 */
export type Metadata = Record<string, string | Uint8Array | Uint8Array[]>;

/** Options for every call a client makes. */
export interface ClientOptions {
  /** `"binary"` (default, `application/grpc-web+proto`) or `"text"` (base64 bodies). */
  mode?: "binary" | "text";
  /** Default deadline per call, in milliseconds. */
  timeoutMs?: number;
  /** fetch's `credentials`: whether cookies and HTTP authentication are sent. */
  credentials?: "omit" | "same-origin" | "include";
  /** Metadata sent with every call, before each call's own. */
  metadata?: MetadataInit;
  /**
   * Compress each request message with gzip (`grpc-encoding: gzip`), through the browser's
   * `CompressionStream`. The server must accept gzip requests.
   */
  sendCompressed?: "gzip";
  /**
   * Let the server compress replies with gzip (`grpc-accept-encoding: gzip`); they are
   * inflated through the browser's `DecompressionStream`, never past
   * `maxReceiveMessageSize` (`RESOURCE_EXHAUSTED`); data that is not gzip is `INTERNAL`.
   */
  acceptCompressed?: "gzip";
  /** Largest reply message accepted, in bytes (default 4 MiB), after decompression. */
  maxReceiveMessageSize?: number;
  /** Largest request message sent, in bytes (default 4 MiB). */
  maxSendMessageSize?: number;
  /**
   * A gRPC service config (JSON text or object): `methodConfig` entries with `name`,
   * `retryPolicy` or `hedgingPolicy`, and `timeout`; and `retryThrottling`. Unary and
   * server-streaming calls follow it (gRFC A6); client-streaming and bidi calls make one
   * attempt. Exclusive with `retryPolicy`, `hedgingPolicy` and `retryThrottling`.
   */
  serviceConfig?: string | ServiceConfig;
  /** A retry policy for every method, as in a service config. */
  retryPolicy?: RetryPolicy;
  /** A hedging policy for every method (only if all are idempotent), as in a service config. */
  hedgingPolicy?: HedgingPolicy;
  /** Retry throttling for this client's target, as in a service config. */
  retryThrottling?: RetryThrottling;
}

/** A protobuf JSON duration: seconds with an `s`, e.g. `"0.25s"`. */
export type DurationString = `${number}s`;

/** Retry after a failed attempt whose code is retryable (gRFC A6). */
export interface RetryPolicy {
  /** Attempts at most, the first included: 2 to 5 (more counts as 5). */
  maxAttempts: number;
  /** The first retry waits about this long (±20 %)... */
  initialBackoff: DurationString;
  /** ...each next one `backoffMultiplier` times longer, up to this. */
  maxBackoff: DurationString;
  backoffMultiplier: number;
  retryableStatusCodes: (StatusCodeName | number)[];
}

/** Send attempts in parallel every `hedgingDelay`; the first to commit wins, the others are cancelled. */
export interface HedgingPolicy {
  /** Attempts at most: 2 to 5 (more counts as 5). */
  maxAttempts: number;
  /** Between attempts; default `"0s"` (all at once). */
  hedgingDelay?: DurationString;
  /** Codes that let the other attempts go on (and start the next at once). */
  nonFatalStatusCodes?: (StatusCodeName | number)[];
}

/** Failed attempts cost a token, successes give back `tokenRatio`; at half or below, no retries. */
export interface RetryThrottling {
  /** 1 to 1000. */
  maxTokens: number;
  tokenRatio: number;
}

/** The parts of a gRPC service config this client reads. */
export interface ServiceConfig {
  methodConfig?: {
    /** `{}` for every method, `{ service }` for a service, `{ service, method }` for one. */
    name: { service?: string; method?: string }[];
    retryPolicy?: RetryPolicy;
    hedgingPolicy?: HedgingPolicy;
    /** A deadline for the whole call, every attempt included. */
    timeout?: DurationString;
  }[];
  retryThrottling?: RetryThrottling;
}

/** Options for one call. */
export interface CallOptions {
  /** Metadata sent as request headers. */
  metadata?: MetadataInit;
  /** Deadline in milliseconds: sent as `grpc-timeout` and enforced (`DEADLINE_EXCEEDED`). */
  timeoutMs?: number;
  /** Aborting it cancels the call (`CANCELLED`). */
  signal?: AbortSignal;
}

/** A unary call's reply. */
export interface UnaryResponse {
  /** The serialized reply message. */
  message: Uint8Array;
  /** Response headers the server's CORS policy exposes. */
  headers: Metadata;
  /** Trailers, `grpc-status` included. */
  trailers: Metadata;
}

/**
 * A server stream: iterate it with `for await`. The call starts with the first message
 * asked for; leaving the loop early (or `cancel()`) aborts it. A failure rejects with a
 * `GrpcError`. Messages arrive in batches (all those decoded from what the browser delivered
 * at once); a batch's `Uint8Array` messages are views sharing one buffer.
 */
export interface MessageStream<T> extends AsyncIterator<T, undefined> {
  [Symbol.asyncIterator](): MessageStream<T>;
  /**
   * The rest of the stream a batch at a time: each value holds every message that arrived
   * together (at least one), in order. A `for await` step costs about as much as a small
   * message's whole delivery, so a loop over many small messages runs faster this way.
   * It shares the stream: leaving its loop early cancels the call, and messages taken by
   * `next()` are not yielded again.
   */
  batches(): MessageBatches<T>;
  /** Aborts the call at once, also while it starts or a `next()` waits (which then resolves as done). */
  cancel(): void;
  /** Response headers, once the call has started. */
  readonly headers: Metadata | undefined;
  /** Trailers, once the stream has ended. */
  readonly trailers: Metadata | undefined;
}

/** A stream's messages a batch at a time (`MessageStream.batches()`): iterate with `for await`. */
export interface MessageBatches<T> extends AsyncIterator<T[], undefined> {
  [Symbol.asyncIterator](): MessageBatches<T>;
}

/**
 * A client-streaming call, over a WebSocket: `send()` serialized messages, `close()` when
 * done, and await `response`. The call starts at once.
 */
export interface ClientStreamCall<Req = Uint8Array, Res = UnaryResponse> {
  /**
   * Queues a request message: serialized (`GrpcWebClient`) or a plain object
   * (`DynamicClient`, from `grpc-web-wasm/dynamic`). Throws `INVALID_ARGUMENT` for what cannot be sent, or after `close()`.
   */
  send(message: Req): void;
  /** Ends the request stream. */
  close(): void;
  /** Cancels the call: `response` rejects with `CANCELLED`. */
  cancel(): void;
  /** The one reply, once the server sent it. */
  readonly response: Promise<Res>;
}

/**
 * A bidirectional call, over a WebSocket: iterate the replies with `for await` while you
 * `send()`; `close()` ends the request stream. The call starts with the first reply asked for;
 * messages sent before are queued.
 */
export interface BidiStream<T, Req = Uint8Array> extends MessageStream<T> {
  /**
   * Queues a request message: serialized (`GrpcWebClient`) or a plain object
   * (`DynamicClient`, from `grpc-web-wasm/dynamic`). Throws `INVALID_ARGUMENT` for what cannot be sent, or after `close()`.
   */
  send(message: Req): void;
  /** Ends the request stream; replies may still follow. */
  close(): void;
}

/** gRPC status codes by number. */
export type StatusCode = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16;

/** gRPC status codes by name. */
export type StatusCodeName =
  | "OK" | "CANCELLED" | "UNKNOWN" | "INVALID_ARGUMENT" | "DEADLINE_EXCEEDED" | "NOT_FOUND"
  | "ALREADY_EXISTS" | "PERMISSION_DENIED" | "RESOURCE_EXHAUSTED" | "FAILED_PRECONDITION"
  | "ABORTED" | "OUT_OF_RANGE" | "UNIMPLEMENTED" | "INTERNAL" | "UNAVAILABLE" | "DATA_LOSS"
  | "UNAUTHENTICATED";

/** One entry of `google.rpc.Status.details`: a `google.protobuf.Any`. */
export interface StatusDetail {
  /** e.g. `type.googleapis.com/google.rpc.BadRequest`. */
  typeUrl: string;
  /** The serialized message. */
  value: Uint8Array;
}

/** A failed call, whatever failed: the server's status, the network, a deadline, bad input. */
export class GrpcError extends Error {
  private constructor();
  readonly name: "GrpcError";
  /** The status code. */
  readonly code: StatusCode;
  /** The status code's name, e.g. `"NOT_FOUND"`. */
  readonly codeName: StatusCodeName;
  /** Trailers (or headers, for a reply without a body) that came with the status. */
  readonly metadata: Metadata;
  /** Response headers of the reply, empty if the call failed before one arrived. */
  readonly headers: Metadata;
  /** Typed details from `grpc-status-details-bin`. */
  readonly details: StatusDetail[];
}
