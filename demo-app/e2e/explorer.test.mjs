// The Explorer (#/explorer) end to end, against the demo server (harness.mjs): services by
// reflection, calls from JSON, errors and their details, a stream stopped, the test service,
// and a server without reflection (servers.mjs) by CORS refusal and by descriptor set file.

import { test } from "node:test";
import assert from "node:assert/strict";
import { harness, inspect, need, shot, text, url } from "./harness.mjs";
import { withoutReflection } from "./servers.mjs";

const { open, problems } = harness();

test("explorer: services by reflection, GetUser from JSON, NOT_FOUND, details, share, grpcurl", async () => {
  const page = await open("#/explorer");
  await page.locator("#explorer-source", { hasText: "by reflection" }).waitFor();
  // The Explorer is a bundle of its own, loaded only on its page.
  assert.equal(new URL(page.url()).pathname, "/explorer/");
  assert.equal(await page.getAttribute("footer", "data-bundle"), "explorer");
  const methods = await page.locator("#explorer-method option").allInnerTexts();
  for (const m of ["demo.v1.UserService · GetUser", "demo.v1.UserService · ListUsers (server stream)", "grpc.testing.TestService · UnaryCall"])
    assert.ok(methods.includes(m), `${m} in ${methods.join(" | ")}`);
  await shot(page, "explorer-services");

  await page.selectOption("#explorer-method", "demo.v1.UserService/GetUser");
  // The template has every field at its default; the table says what each is, with its comment.
  assert.deepEqual(JSON.parse(await page.inputValue("#explorer-body")), { userId: 0 });
  assert.match(await text(page, "#explorer-fields"), /userId\s+int32/);
  await page.fill("#explorer-body", '{"userId": 1}');
  await page.click("#explorer-send");
  await page.locator("#explorer-status", { hasText: "OK" }).waitFor();
  assert.match(await text(page, "#explorer-messages"), /"name": "Ada Lovelace"/);
  assert.match(await text(page, "#explorer-messages"), /00 00 00 00 \w\w\s+│ frame header/);
  assert.match(await text(page, "#explorer-trailers"), /grpc-status\s+0/);
  assert.equal(
    await text(page, "#explorer-grpcurl"),
    `grpcurl -plaintext -d '{"userId":1}' ${new URL(url).host} demo.v1.UserService/GetUser`,
  );
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(page.url()).origin });
  await page.click("#explorer-copy");
  await page.locator(".grpcurl", { hasText: "Copied." }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await text(page, "#explorer-grpcurl"));
  // The address is a link to this request.
  const link = await page.getAttribute("#explorer-share", "href");
  assert.match(link, /#\/explorer\?method=demo\.v1\.UserService%2FGetUser&body=/);
  assert.match(page.url(), /#\/explorer\?method=demo\.v1\.UserService%2FGetUser/);
  await shot(page, "explorer-unary");
  const shared = await open(link.slice(url.length + 1));
  await shared.locator("#explorer-body").waitFor();
  assert.equal(await shared.inputValue("#explorer-method"), "demo.v1.UserService/GetUser");
  assert.deepEqual(JSON.parse(await shared.inputValue("#explorer-body")), { userId: 1 });
  await shared.close();

  // NOT_FOUND, and the reply told apart: a trailers-only reply has no trailers.
  await page.fill("#explorer-body", '{"userId": 404}');
  await page.click("#explorer-send");
  await page.locator("#explorer-status", { hasText: "NOT_FOUND" }).waitFor();
  assert.match(await text(page, "#explorer-failure"), /user 404 not found/);
  assert.match(await text(page, "#explorer-trailers"), /trailers-only/);
  assert.match(await text(page, "#explorer-headers"), /grpc-status\s+5/);

  // A typo is refused before sending, in the user's terms.
  await page.fill("#explorer-body", '{"userID": 1}');
  await page.click("#explorer-send");
  await page.locator("#explorer-problem", { hasText: "Nothing was sent" }).waitFor();
  assert.match(await text(page, "#explorer-problem"), /demo\.v1\.UserRequest/);

  // google.rpc details decoded with the descriptors.
  await page.selectOption("#explorer-method", "demo.v1.UserService/CreateUser");
  await page.fill("#explorer-body", '{"name": " ", "email": "nope"}');
  await page.click("#explorer-send");
  await page.locator("#explorer-status", { hasText: "INVALID_ARGUMENT" }).waitFor();
  const details = await text(page, "#explorer-details");
  assert.match(details, /google\.rpc\.BadRequest/);
  assert.match(details, /"fieldViolations"/);
  assert.match(details, /"field": "email"/);
  await shot(page, "explorer-error-details");
  await page.close();
});

test("explorer: a server stream arrives message by message and Stop cancels it", async () => {
  const page = await open("#/explorer");
  await page.locator("#explorer-source", { hasText: "by reflection" }).waitFor();
  await page.selectOption("#explorer-method", "demo.v1.UserService/ListUsers");
  const template = JSON.parse(await page.inputValue("#explorer-body"));
  assert.deepEqual(Object.keys(template).sort(), ["afterUserId", "delayMs", "nameContains", "pageSize"]);
  assert.match(await text(page, "#explorer-fields"), /delayMs\s+uint32\s+A pause before each user/);
  await page.fill("#explorer-body", '{"delayMs": 300}');
  await page.click("#explorer-send");
  await page.locator("#explorer-status", { hasText: "STREAMING" }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll("#explorer-messages li").length >= 2);
  await shot(page, "explorer-stream");
  await page.click("#explorer-stop");
  await page.locator("#explorer-status", { hasText: "CANCELLED" }).waitFor();
  const count = await page.locator("#explorer-messages li").count();
  assert.ok(count < 12, `${count} of 12 users: stopped early`);
  await page.waitForTimeout(700);
  assert.equal(await page.locator("#explorer-messages li").count(), count, "nothing after Stop");
  const call = page.locator("#inspector li.call", { hasText: "ListUsers" }).first();
  await call.locator(".badge", { hasText: "CANCELLED" }).waitFor();
  await page.close();
});

test("explorer: grpc.testing.TestService, text mode, and what it cannot call", async () => {
  const page = await open("#/explorer");
  await page.locator("#explorer-source", { hasText: "by reflection" }).waitFor();
  await page.selectOption("#explorer-method", "grpc.testing.TestService/UnaryCall");
  const template = JSON.parse(await page.inputValue("#explorer-body"));
  assert.equal(template.responseType, "COMPRESSABLE", "enums by name");
  assert.deepEqual(template.payload, { type: "COMPRESSABLE", body: "" }, "nested messages expanded");
  await page.fill("#explorer-body", '{"responseSize": 4, "fillUsername": true}');
  await page.selectOption("#explorer-mode", "text");
  await page.fill("#explorer-metadata", "x-grpc-test-echo-initial: hello");
  await page.click("#explorer-send");
  await page.locator("#explorer-status", { hasText: "OK" }).waitFor();
  assert.match(await text(page, "#explorer-messages"), /"body": "AAAAAA=="/);
  assert.match(await text(page, "#explorer-headers"), /x-grpc-test-echo-initial\s+hello/);
  assert.match(await text(page, "#explorer-grpcurl"), /-H 'x-grpc-test-echo-initial: hello'/);
  await shot(page, "explorer-testservice");

  // Methods that stream requests: a JSON array, each message sent in turn over a WebSocket.
  await page.selectOption("#explorer-method", "grpc.testing.TestService/StreamingInputCall");
  await page.locator("#explorer-request-stream").waitFor();
  const streamTemplate = JSON.parse(await page.inputValue("#explorer-body"));
  assert.ok(Array.isArray(streamTemplate) && streamTemplate.length === 1, "a request stream's template is an array");
  await page.fill("#explorer-body", '[{"payload": {"body": "AAAA"}}, {"payload": {"body": "AAAAAAAA"}}]');
  await page.click("#explorer-send");
  await page.locator("#explorer-status", { hasText: "OK" }).waitFor();
  assert.match(await text(page, "#explorer-messages"), /"aggregatedPayloadSize": 9/);
  assert.match(await text(page, "#explorer-grpcurl"), /-d '\{"payload":\{"body":"AAAA"\}\} \{"payload":\{"body":"AAAAAAAA"\}\}'/);
  const upload = await inspect(page, "StreamingInputCall");
  assert.match(await upload.locator(".call-messages").innerText(), /^2 sent · 1 received/);
  await upload.locator("summary").click();

  await page.selectOption("#explorer-method", "grpc.testing.TestService/FullDuplexCall");
  await page.fill("#explorer-body", '[{"responseParameters": [{"size": 3}]}, {"responseParameters": [{"size": 5}]}]');
  await page.click("#explorer-send");
  await page.locator("#explorer-status", { hasText: "OK" }).waitFor();
  const bodies = [...(await text(page, "#explorer-messages")).matchAll(/"body": "([A-Za-z0-9+/=]*)"/g)].map((m) => m[1]);
  assert.deepEqual(bodies, ["AAAA", "AAAAAAA="], "one reply of 3 bytes, then one of 5");
  await page.fill("#explorer-body", '[{"responseParameters": [{"size": 3}]}, {"nope": 1}]');
  await page.click("#explorer-send");
  await page.locator("#explorer-problem", { hasText: "message 2" }).waitFor();
  await shot(page, "explorer-bidi");
  await page.close();
});

test("explorer: a server without reflection, then its descriptor set file", async () => {
  const bare = await withoutReflection(url);
  // Another origin calling the demo server, which admits none: the browser refuses, and says so.
  const cors = (t) => /CORS policy|net::ERR_FAILED/.test(t);
  const other = await open("#/explorer", { expected: cors });
  await other.locator("#explorer-source", { hasText: "by reflection" }).waitFor();
  await other.fill("#explorer-server", bare.url);
  await other.click("#explorer-connect");
  await other.locator("#explorer-error", { hasText: "CORS" }).waitFor();
  assert.match(await text(other, "#explorer-error"), new RegExp(`origin ${url.replace(/[.]/g, "\\.")}`));
  await other.close();

  const page = await open("#/explorer", { base: bare.url });
  await page.locator("#explorer-error", { hasText: "no reflection service" }).waitFor();
  await shot(page, "explorer-no-reflection");
  await page.setInputFiles("#explorer-file", need("DESCRIPTORS"));
  await page.locator("#explorer-source", { hasText: "from demo.binpb" }).waitFor();
  await page.selectOption("#explorer-method", "demo.v1.UserService/GetUser");
  assert.match(await text(page, "#explorer-fields"), /userId\s+int32/);
  await page.fill("#explorer-body", '{"userId": 3}');
  await page.click("#explorer-send");
  await page.locator("#explorer-status", { hasText: "OK" }).waitFor();
  assert.match(await text(page, "#explorer-messages"), /Grace Hopper|"userId": 3/);
  assert.match(await text(page, "#explorer-grpcurl"), /^grpcurl -plaintext -protoset 'demo\.binpb' /);
  await shot(page, "explorer-descriptor-file");

  // The file describes a service this server does not serve: said in those terms.
  await page.selectOption("#explorer-method", "grpc.testing.UnimplementedService/UnimplementedCall");
  await page.click("#explorer-send");
  await page.locator("#explorer-status", { hasText: "UNIMPLEMENTED" }).waitFor();
  assert.match(await text(page, "#explorer-hint"), /does not serve grpc\.testing\.UnimplementedService\/UnimplementedCall/);
  await page.close();
  await bare.close();
});

test("no console errors or warnings on any page", () => {
  assert.deepEqual(problems, []);
});
