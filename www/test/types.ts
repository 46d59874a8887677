// Compile-time tests of the package's TypeScript declarations (`npm run check`): what must
// type-check does, and each `@ts-expect-error` line must be an error.
import init, {
  GrpcError,
  GrpcWebClient,
  type BidiStream,
  type ClientStreamCall,
  type Metadata,
  type StatusCodeName,
  type UnaryResponse,
} from "grpc-web-wasm";
// DynamicClient is an entry of its own, with its own wasm module and init().
import initDynamic, { DynamicClient, type JsonObject, type MethodInfo } from "grpc-web-wasm/dynamic";

export async function typed(): Promise<void> {
  await Promise.all([init(), initDynamic()]);
  const client = new GrpcWebClient("http://127.0.0.1:1", { mode: "text", timeoutMs: 5 });
  new GrpcWebClient("http://127.0.0.1:1", { acceptCompressed: "gzip", sendCompressed: "gzip" });
  // @ts-expect-error: gzip is the one scheme
  new GrpcWebClient("http://127.0.0.1:1", { acceptCompressed: "br" });
  const retrying = new GrpcWebClient("http://127.0.0.1:1", {
    retryPolicy: {
      maxAttempts: 3,
      initialBackoff: "0.1s",
      maxBackoff: "1s",
      backoffMultiplier: 2,
      retryableStatusCodes: ["UNAVAILABLE", 10],
    },
    retryThrottling: { maxTokens: 10, tokenRatio: 0.1 },
  });
  const configured = new GrpcWebClient("http://127.0.0.1:1", {
    serviceConfig: { methodConfig: [{ name: [{ service: "p.S" }], hedgingPolicy: { maxAttempts: 2, hedgingDelay: "0.5s" }, timeout: "2s" }] },
  });
  // @ts-expect-error durations are strings with an `s`
  new GrpcWebClient("http://127.0.0.1:1", { hedgingPolicy: { maxAttempts: 2, hedgingDelay: 500 } });
  const bytes: Uint8Array = new Uint8Array([8, 1]);
  const reply: UnaryResponse = await client.unary("/p.S/M", bytes, {
    metadata: { "x-a": "1", "x-b-bin": new Uint8Array([1]), "x-c": ["1", "2"] },
    signal: new AbortController().signal,
  });
  const message: Uint8Array = reply.message;
  const headers: Metadata = reply.headers;
  const value: string | Uint8Array | Uint8Array[] | undefined = reply.trailers["grpc-status"];
  for await (const m of client.serverStream("/p.S/M", bytes)) {
    const each: Uint8Array = m;
  }
  for await (const batch of client.serverStream("/p.S/M", bytes).batches()) {
    const each: Uint8Array = batch[0];
    // @ts-expect-error a batch is an array of messages, not one
    const one: Uint8Array = batch;
  }
  const up: ClientStreamCall = client.clientStream("/p.S/Up");
  up.send(bytes);
  up.close();
  const upReply: UnaryResponse = await up.response;
  const bidi: BidiStream<Uint8Array> = client.bidiStream("/p.S/Both", { timeoutMs: 5 });
  bidi.send(bytes);
  for await (const m of bidi) {
    const each: Uint8Array = m;
  }
  const dynamic = await DynamicClient.fromReflection(client, { emitDefaults: true });
  const user: JsonObject = await dynamic.call("demo.v1.UserService/GetUser", { userId: 1 });
  const methods: MethodInfo[] = dynamic.services().flatMap((s) => s.methods);
  const streaming: boolean = methods[0].serverStreaming;
  const record: ClientStreamCall<JsonObject, JsonObject> = dynamic.clientStream("demo.v1.TelemetryService/Record");
  record.send({ x: 1, y: 2, atMs: 3 });
  record.close();
  const summary: JsonObject = await record.response;
  const echo: BidiStream<JsonObject, JsonObject> = dynamic.bidiStream("demo.v1.TelemetryService/Echo");
  echo.send({ sequence: "1" });
  for await (const pong of echo) {
    const each: JsonObject = pong;
  }
  try {
    dynamic.encode("demo.v1.UserRequest", { userId: 1 });
  } catch (e) {
    if (e instanceof GrpcError) {
      const name: StatusCodeName = e.codeName;
      const code: number = e.code;
      const err: Error = e;
      const replyHeaders: Metadata = e.headers;
      const typeUrl: string = e.details[0].typeUrl;
    }
  }
  void [message, headers, value, user, streaming, summary];

  // @ts-expect-error: the request is bytes, not an object
  await client.unary("/p.S/M", { userId: 1 });
  // @ts-expect-error: unknown mode
  new GrpcWebClient("x", { mode: "grpc" });
  // @ts-expect-error: timeouts are numbers of milliseconds
  await client.unary("/p.S/M", bytes, { timeoutMs: "5s" });
  // @ts-expect-error: -bin values are bytes or text, never numbers
  await client.unary("/p.S/M", bytes, { metadata: { "x-n": 1 } });
  // @ts-expect-error: a reply message is bytes
  const wrong: string = reply.message;
  // @ts-expect-error: a code name is one of the 17
  const bad: StatusCodeName = "NOPE";
  // @ts-expect-error: GrpcError is thrown by calls, not built by callers
  new GrpcError();
  // @ts-expect-error: DynamicClient takes a GrpcWebClient, not a URL
  await DynamicClient.fromReflection("http://127.0.0.1:1");
  void [wrong, bad];
}
