// The minimal app for the size comparison: one unary and one streaming call.
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { TestService } from "../gen/grpc/testing/test_pb.js";
import { SimpleRequestSchema, StreamingOutputCallRequestSchema } from "../gen/grpc/testing/messages_pb.js";

export async function run(base) {
  const c = createClient(TestService, createGrpcWebTransport({ baseUrl: base }));
  const reply = await c.unaryCall(create(SimpleRequestSchema, { responseSize: 8 }));
  let n = 0;
  const request = create(StreamingOutputCallRequestSchema, {
    responseParameters: [{ size: 8 }, { size: 8 }],
  });
  for await (const m of c.streamingOutputCall(request)) n += m.payload.body.length;
  return reply.payload.body.length + n;
}
