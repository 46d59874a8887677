// The demo end to end: the release bundle served by the real server, driven in headless
// Chromium by Playwright. Each page's main action, what the page then shows, a screenshot per
// page, and no console errors anywhere. `cargo xtask test` runs it with:
//   DEMO_URL        the server serving the bundle and the API (one origin)
//   CHROMIUM        the browser to drive (Debian's; Playwright downloads nothing)
//   CHROMIUM_ARGS   JSON array of the project's Chromium flags
//   SCREENSHOTS     where the PNGs go
//   SERVER_BIN      the server binary, for tests that run servers of their own (a restart)
//   DIST            the bundle those serve
//   DESCRIPTORS     a FileDescriptorSet (demo.v1.UserService, grpc.testing) to drop on the Explorer

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startServer, withoutReflection } from "./servers.mjs";

const url = need("DEMO_URL").replace(/\/$/, "");
const shots = need("SCREENSHOTS");
const args = JSON.parse(need("CHROMIUM_ARGS")).filter((a) => !a.startsWith("--headless"));
const TIMEOUT = 15_000;

let browser;
let context;
const problems = [];

function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run this with \`cargo xtask test --only demo\``);
  return value;
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({ executablePath: need("CHROMIUM"), args, headless: true });
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(TIMEOUT);
});

after(async () => {
  await browser?.close();
});

/**
 * A new tab on `hash` (of `base`, the demo server by default), its console errors and page
 * errors collected. `expected(text)` may excuse a console message the test provokes on
 * purpose (the browser logs each refused connection while a server is down).
 */
async function open(hash, { base = url, expected = () => false } = {}) {
  const page = await context.newPage();
  const where = () => `${page.url()}`;
  page.on("console", (m) => {
    if ((m.type() === "error" || m.type() === "warning") && !expected(m.text()))
      problems.push(`${where()}: console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`${where()}: page error: ${e.message}`));
  await page.goto(`${base}/${hash}`);
  await page.locator("#title").waitFor();
  return page;
}

const text = (page, selector) => page.locator(selector).innerText();

async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** The inspector's record of the newest call to `method`, opened. */
async function inspect(page, method) {
  const call = page.locator("#inspector li.call", { hasText: method }).first();
  await call.locator("summary").click();
  return call;
}

test("users: lookup, error panel, create with field errors, streamed list", async () => {
  const page = await open("#/users");

  await page.fill("#user-id", "2");
  await page.click("#lookup");
  await page.locator("#user-name", { hasText: "Alan Turing" }).waitFor();

  await page.fill("#user-id", "404");
  await page.click("#lookup");
  await page.locator("#lookup-result .status-code", { hasText: "NOT_FOUND" }).waitFor();
  assert.match(await text(page, "#lookup-result"), /user 404 not found/);

  // The Inspector shows a trailers-only reply for what it is: the status came in the
  // headers, grpc-message decoded; no HTTP headers (date, CORS) posing as trailers.
  const notFound = await inspect(page, "GetUser");
  await notFound.locator(".badge", { hasText: "NOT_FOUND" }).waitFor();
  const trailers = await notFound.locator(".pairs-trailers").innerText();
  assert.doesNotMatch(trailers, /\bdate\b|access-control|content-type/, trailers);
  assert.doesNotMatch(await notFound.innerText(), /%20/, "grpc-message is percent-decoded");
  assert.match(await notFound.locator(".pairs-response-headers").innerText(), /grpc-message\s+user 404 not found/);
  await notFound.locator("summary").click();

  // Input checked before sending: no gRPC code (0 would mean OK), and the right reason.
  await page.fill("#user-id", "99999999999");
  await page.click("#lookup");
  await page.locator("#lookup-result", { hasText: "out of range" }).waitFor();
  assert.doesNotMatch(await text(page, "#lookup-result"), /code 0|not a whole number/);
  await page.fill("#user-id", "1e20");
  await page.click("#lookup");
  await page.locator("#lookup-result", { hasText: "1e20 is out of range" }).waitFor();

  // Invalid on both fields: the server's BadRequest details land beside each field.
  await page.fill("#new-name", " ");
  await page.fill("#new-email", "nope");
  await page.click("#create");
  await page.locator("#create-result .status-code", { hasText: "INVALID_ARGUMENT" }).waitFor();
  assert.match(await text(page, "#new-name-error"), /must not be empty/);
  assert.match(await text(page, "#new-email-error"), /name@example\.com/);
  assert.equal(await page.getAttribute("#new-email", "aria-invalid"), "true");
  assert.match(await text(page, "#create-result"), /BadRequest/);
  // The BadRequest detail is shown as its violations, not again as a bare type URL.
  const details = await page.locator("#create-result .error-details li").allInnerTexts();
  assert.equal(details.length, 2, details.join("\n"));
  assert.ok(details.every((d) => !d.includes("type.googleapis.com")), details.join("\n"));

  const email = `grace.e2e.${Date.now()}@example.com`;
  await page.fill("#new-name", "Grace E2E");
  await page.fill("#new-email", email);
  await page.click("#create");
  await page.locator("#created", { hasText: "Created Grace E2E" }).waitFor();
  assert.equal(await page.getAttribute("#new-email", "aria-invalid"), "false");

  // Rows arrive one by one: catch the table part-filled while the stream is still open.
  await page.click("#list");
  await page.waitForFunction(() => {
    const rows = document.querySelectorAll("#user-rows tbody tr").length;
    return rows >= 1 && document.querySelector("#list-status").textContent.startsWith("Streaming");
  });
  await page.locator("#list-status", { hasText: "stream complete (OK)" }).waitFor();
  const rows = await page.locator("#user-rows tbody tr").count();
  assert.ok(rows >= 13, `${rows} rows: the 12 seeded users and the one created`);
  assert.match(await text(page, "#user-rows"), /Grace E2E/);

  // The inspector saw every call, with sizes and the protobuf/JSON comparison.
  const list = await inspect(page, "ListUsers");
  assert.match(await list.innerText(), /OK/);
  assert.match(await list.innerText(), /x-request-id/);
  assert.match(await list.locator(".call-json").innerText(), /\d+ B — \d+\.\d× the protobuf size/);
  assert.match(await text(page, "#inspector-totals"), /JSON is \d+\.\d× the size/);

  await shot(page, "users");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, "users-mobile");
  await page.close();
});

test("live scores: start streams updates, stop cancels the call", async () => {
  const page = await open("#/scores");
  await page.selectOption("#scores-interval", "100");
  await page.click("#scores-start");
  await page.locator("#scores-status", { hasText: "Live" }).waitFor();
  await page.waitForFunction(
    () => Number(/(\d+) updates/.exec(document.querySelector("#scores-status").textContent)?.[1]) >= 8,
  );
  assert.ok((await page.locator("#scoreboard .match").count()) >= 2, "match cards");
  assert.ok((await page.locator("#ticker li").count()) >= 1, "events in the ticker");
  // A stream in progress is not an error: its badge is not drawn in the error colours.
  const live = page.locator("#inspector li.call", { hasText: "WatchScores" }).first().locator(".badge");
  await live.filter({ hasText: "STREAMING" }).waitFor();
  const colours = await live.evaluate((badge) => {
    const error = document.createElement("span");
    error.className = "badge badge-error";
    document.body.append(error);
    const pick = (e) => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor];
    const both = { live: pick(badge), error: pick(error), red: getComputedStyle(document.documentElement).getPropertyValue("--live") };
    error.remove();
    return both;
  });
  assert.notEqual(colours.live[0], colours.error[0], JSON.stringify(colours));
  assert.notEqual(colours.live[1], colours.error[1], JSON.stringify(colours));
  await shot(page, "scores");

  await page.click("#scores-stop");
  const stopped = await page.locator("#scores-status", { hasText: "the call was cancelled" }).innerText();
  const count = /after (\d+) updates/.exec(stopped)[1];
  const call = await inspect(page, "WatchScores");
  await call.locator(".badge", { hasText: "CANCELLED" }).waitFor();
  // Nothing more arrives once stopped.
  await page.waitForTimeout(500);
  assert.match(await text(page, "#scores-status"), new RegExp(`after ${count} updates`));

  // Leaving the page cancels its stream too.
  await page.click("#scores-start");
  await page.locator("#scores-status", { hasText: "Live" }).waitFor();
  await page.click("#nav-users");
  await page.locator("#users-title").waitFor();
  const left = page.locator("#inspector li.call", { hasText: "WatchScores" }).first();
  await left.locator(".badge", { hasText: "CANCELLED" }).waitFor();
  await page.close();
});

test("chat: two tabs in one room see each other's messages", async () => {
  const room = `e2e-${Date.now()}`;
  const [a, b] = [await open("#/chat"), await open("#/chat")];
  for (const [page, name] of [[a, "ada"], [b, "bob"]]) {
    await page.fill("#chat-author", name);
    await page.fill("#chat-room", room);
    await page.click("#chat-join");
    await page.locator(".chat-head h2", { hasText: `#${room}` }).waitFor();
    await page.locator("#chat-link", { hasText: "Live" }).waitFor();
  }

  await a.fill("#chat-text", "hello from tab A");
  await a.click("#chat-send");
  await b.locator("#chat-messages .message", { hasText: "hello from tab A" }).waitFor();
  await a.locator("#chat-messages .message.mine", { hasText: "hello from tab A" }).waitFor();
  await a.locator("#chat-sent", { hasText: "Delivered to 2 subscribers" }).waitFor();

  await b.fill("#chat-text", "hi A, B here");
  await b.press("#chat-text", "Enter");
  await a.locator("#chat-messages .message", { hasText: "hi A, B here" }).waitFor();
  assert.match(await text(a, "#chat-messages"), /bob[\s\S]*hi A, B here/);

  await shot(a, "chat-tab-a");
  await shot(b, "chat-tab-b");
  await a.close();
  await b.close();
});

test("chat: a server restart is survived, and the lost connection explained", async () => {
  const own = await startServer(need("SERVER_BIN"), ["--static-dir", need("DIST")]);
  let down = false;
  // While the server is down, the browser logs each refused reconnection attempt.
  const expected = (t) => down && /net::ERR_(CONNECTION_REFUSED|INCOMPLETE_CHUNKED_ENCODING|EMPTY_RESPONSE|CONNECTION_RESET)/.test(t);
  const page = await open("#/chat", { base: own.url, expected });
  await page.locator("#chat-link", { hasText: "Live" }).waitFor();

  down = true;
  await own.stop();
  await page.locator("#chat-link", { hasText: "Reconnecting" }).waitFor();
  // The page and the server share an origin: CORS cannot be the cause, so it is not offered.
  await page.locator("#chat-lost", { hasText: "CORS is not the cause" }).waitFor();
  await page.waitForFunction(() => /fetch .* failed/.test(document.querySelector("#chat-lost")?.textContent ?? ""));
  assert.doesNotMatch(await text(page, "#chat-lost"), /CORS policy does not admit/);
  await shot(page, "chat-reconnecting");

  const again = await own.restart();
  await page.locator("#chat-link", { hasText: "Live" }).waitFor({ timeout: 20_000 });
  down = false;
  await page.fill("#chat-text", "back after the restart");
  await page.click("#chat-send");
  await page.locator("#chat-messages .message", { hasText: "back after the restart" }).waitFor();
  await page.close();
  await again.stop();
});

test("an unknown route says so instead of showing another page", async () => {
  const page = await open("#/no-such-page");
  assert.equal(await page.getAttribute("footer", "data-bundle"), "main");
  await page.locator("#not-found-title", { hasText: "Page not found" }).waitFor();
  assert.equal(await page.locator("#users-title").count(), 0);
  assert.match(await text(page, "#page"), /#\/no-such-page/);
  await page.click("a[href='#/users'] >> nth=-1");
  await page.locator("#users-title").waitFor();
  await shot(page, "not-found");
  await page.close();
});

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

  await page.selectOption("#explorer-method", "grpc.testing.TestService/StreamingInputCall");
  await page.locator("#explorer-unsupported").waitFor();
  assert.equal(await page.isDisabled("#explorer-send"), true);
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
  await page.close();
  await bare.close();
});

test("no console errors or warnings on any page", () => {
  assert.deepEqual(problems, []);
});
