// The demo end to end: the release bundle served by the real server, driven in headless
// Chromium by Playwright (harness.mjs). Each page's main action, what the page then shows, a
// screenshot per page, the rough edges of issue 20, and no console errors anywhere.
// The Explorer has a file of its own (explorer.test.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import { harness, inspect, need, shot, text } from "./harness.mjs";
import { startServer } from "./servers.mjs";

const { open, problems } = harness();

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
  // NOT_FOUND is the server's answer, not a reason to try again: one attempt.
  assert.equal((await notFound.locator(".call-attempts").innerText()).trim(), "1");
  await notFound.locator("summary").click();

  // Input checked before sending: no gRPC code (0 would mean OK), and the right reason.
  await page.fill("#user-id", "99999999999");
  await page.click("#lookup");
  await page.locator("#lookup-result", { hasText: "out of range" }).waitFor();
  assert.doesNotMatch(await text(page, "#lookup-result"), /code 0|not a whole number/);
  await page.fill("#user-id", "1e3");
  await page.click("#lookup");
  await page.locator("#lookup-result", { hasText: "not a whole number written in digits" }).waitFor();
  assert.doesNotMatch(await text(page, "#lookup-result"), /code 0/);

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

  // One bidi call per tab, still open: its join and one message sent so far; the room's
  // two messages and one answer received.
  const converse = await inspect(a, "Converse");
  assert.match(await converse.locator("summary").innerText(), /bidi[\s\S]*STREAMING/);
  assert.match(await converse.locator(".call-messages").innerText(), /^2 sent · 3 received/);

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
  // The conversation is a WebSocket: its loss is named as such.
  await page.waitForFunction(() => /WebSocket to ws:\/\/.*Converse/.test(document.querySelector("#chat-lost")?.textContent ?? ""));
  assert.doesNotMatch(await text(page, "#chat-lost"), /CORS policy does not admit/);
  await shot(page, "chat-reconnecting");

  // A lookup while the server is down: the demo retries GetUser on UNAVAILABLE (gRFC A6),
  // three attempts in all, and the Inspector says so.
  await page.evaluate(() => (location.hash = "#/users"));
  await page.fill("#user-id", "1");
  await page.click("#lookup");
  await page.locator("#lookup-result .status-code", { hasText: "UNAVAILABLE" }).waitFor();
  const retried = await inspect(page, "GetUser");
  assert.match(await retried.locator("summary").innerText(), /3 attempts/);
  assert.equal((await retried.locator(".call-attempts").innerText()).trim(), "3");
  await page.evaluate(() => (location.hash = "#/chat"));

  const again = await own.restart();
  await page.locator("#chat-link", { hasText: "Live" }).waitFor({ timeout: 20_000 });
  down = false;
  await page.fill("#chat-text", "back after the restart");
  await page.click("#chat-send");
  await page.locator("#chat-messages .message", { hasText: "back after the restart" }).waitFor();
  await page.close();
  await again.stop();
});

test("telemetry: samples stream up and are summed; round trips on one open stream", async () => {
  const page = await open("#/telemetry");
  const status = (sel) => page.evaluate((sel) => document.querySelector(sel)?.textContent ?? "", sel);

  await page.click("#telemetry-start");
  await page.waitForFunction(() => /Recording · ([3-9]\d|\d{3,}) samples/.test(document.querySelector("#telemetry-sent")?.textContent ?? ""));
  await page.click("#telemetry-stop");
  await page.locator("#telemetry-summary").waitFor();
  const sent = Number((await status("#telemetry-sent")).match(/(\d+) samples sent/)[1]);
  assert.equal(Number(await text(page, "#telemetry-summary .summary-samples")), sent, "the server summed every sample sent");
  const rate = parseFloat(await text(page, "#telemetry-summary .summary-rate"));
  assert.ok(rate > 20 && rate < 70, `a 60 Hz sensor, measured by the server at ${rate} Hz`);
  const record = await inspect(page, "Record");
  await record.locator(".badge", { hasText: "OK" }).waitFor();
  assert.match(await record.locator("summary").innerText(), /client stream/);
  assert.match(await record.locator(".call-messages").innerText(), new RegExp(`^${sent} sent · 1 received`));

  await page.click("#echo-start");
  await page.waitForFunction(() => /Measuring · ([5-9]|\d{2,}) round trips/.test(document.querySelector("#echo-status")?.textContent ?? ""));
  await page.click("#echo-stop");
  await page.locator("#echo-status", { hasText: "(OK)" }).waitFor();
  const trips = Number((await status("#echo-status")).match(/after (\d+) round trips/)[1]);
  const p50 = parseFloat(await text(page, "#echo-stats .echo-p50"));
  assert.ok(p50 > 0 && p50 < 1000, `p50 ${p50} ms`);
  const echo = await inspect(page, "Echo");
  await echo.locator(".badge", { hasText: "OK" }).waitFor();
  assert.match(await echo.locator("summary").innerText(), /bidi/);
  assert.match(await echo.locator(".call-messages").innerText(), new RegExp(`^${trips} sent · ${trips} received`));
  await shot(page, "telemetry");
  await page.close();
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

test("the bundle is served gzipped, hashed files cached for good, the page revalidated", async () => {
  const page = await open("#/users");
  const html = await page.request.get(`${page.url().split("#")[0]}`, { headers: { "accept-encoding": "gzip" } });
  assert.equal(html.headers()["cache-control"], "no-cache");
  const wasm = /["']([^"']+_bg\.wasm)["']/.exec(await html.text())[1];
  const module = await page.request.get(new URL(wasm, page.url()).href, { headers: { "accept-encoding": "gzip" } });
  assert.equal(module.headers()["content-encoding"], "gzip");
  assert.equal(module.headers()["cache-control"], "public, max-age=31536000, immutable");
  assert.equal(module.headers()["content-type"], "application/wasm");
  await page.close();
});

test("no console errors or warnings on any page", () => {
  assert.deepEqual(problems, []);
});
