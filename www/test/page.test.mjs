// The app's page in headless Chromium, against the real server that `cargo xtask test`
// starts (GRPC_WEB_TEST_SERVER): the user lookup, the streamed list and its cancel, reflection
// and dynamic calls. The package under test is the one `npm pack` produced, installed into
// www/node_modules. The tests run in order on one page: later ones use what earlier ones left.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openApp } from "./page.mjs";

const page = openApp();

describe("the page", () => {
  test("GetUser shows the user", async () => {
    await page.browser.type("#user-id", "1");
    await page.browser.click("#get-user");
    const text = await page.browser.waitText("#user", (t) => t !== "…" && t !== "");
    assert.equal(text, "#1 Ada Lovelace <ada@example.com>");
  });

  test("GetUser of an unknown id shows NOT_FOUND", async () => {
    await page.browser.type("#user-id", "4242");
    await page.browser.click("#get-user");
    const text = await page.browser.waitText("#user", (t) => t !== "…" && t !== "");
    assert.equal(text, "NOT_FOUND: user 4242 not found");
  });

  test("ListUsers streams the matching users into the list", async () => {
    await page.browser.type("#name-contains", "an");
    await page.browser.click("#list-users");
    const status = await page.browser.waitText("#list-status", (t) => t.startsWith("done") || t.includes(":"));
    const items = await page.browser.run(() => [...document.querySelectorAll("#users li")].map((li) => li.textContent));
    assert.equal(status, `done: ${items.length} users`);
    assert.ok(items.length >= 3, JSON.stringify(items));
    for (const item of items) assert.match(item, /^#\d+ .*an.* <.*@example\.com>$/i);
    assert.ok(items.includes("#2 Alan Turing <alan@example.com>"), JSON.stringify(items));
  });

  test("cancelling a slow stream stops it with CANCELLED", async () => {
    await page.browser.type("#name-contains", "");
    await page.browser.type("#delay-ms", "400");
    await page.browser.click("#list-users");
    await page.browser.waitText("#users", (t) => t.includes("Ada"));
    await page.browser.click("#cancel-list");
    const status = await page.browser.waitText("#list-status", (t) => t !== "streaming…");
    assert.match(status, /^CANCELLED: /);
    const count = await page.browser.run(() => document.querySelectorAll("#users li").length);
    assert.ok(count < 12, `all ${count} users arrived despite the cancel`);
    await page.browser.type("#delay-ms", "0");
  });

  test("reflection lists the services, and a dynamic call answers in JSON", async () => {
    await page.browser.click("#discover");
    const services = await page.browser.waitText("#services", (t) => t.includes("UserService"));
    assert.match(services, /demo\.v1\.UserService\/GetUser \(demo\.v1\.UserRequest → demo\.v1\.UserResponse, unary\)/);
    assert.match(services, /demo\.v1\.UserService\/ListUsers .*server streaming/);
    await page.browser.type("#request", '{ "userId": 3 }');
    await page.browser.click("#call");
    const reply = await page.browser.waitText("#reply", (t) => t !== "…" && t !== "");
    assert.deepEqual(JSON.parse(reply), { userId: 3, name: "Grace Hopper", email: "grace@example.com" });
  });

  test("methods that stream requests are labelled, and called with a JSON array over a WebSocket", async () => {
    const services = await page.browser.text("#services");
    assert.match(services, /demo\.v1\.TelemetryService\/Record \(demo\.v1\.Sample → demo\.v1\.Summary, client streaming\)/);
    assert.match(services, /demo\.v1\.TelemetryService\/Echo .*bidi\)/);
    await page.browser.run(() => {
      document.querySelector("#method").value = "demo.v1.TelemetryService/Record";
      document.querySelector("#reply").textContent = "";
    });
    await page.browser.type("#request", '[{ "x": 0, "y": 0, "atMs": 0 }, { "x": 6, "y": 8, "atMs": 500 }]');
    await page.browser.click("#call");
    const reply = JSON.parse(await page.browser.waitText("#reply", (t) => t !== "…" && t !== ""));
    assert.deepEqual([reply.samples, reply.pathLength, reply.rateHz], ["2", 10, 2]);
  });
});
