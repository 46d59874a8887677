// How the packed package's modules load, away from the app's page: the core entries alone
// (the dynamic module fetched only once imported), and the same small app built by each
// bundler. Run by `cargo xtask test` against the server it starts.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openApp } from "./page.mjs";

const page = openApp();
const { api } = page;

// It leaves the app's page: before the bundlers, which do too.
describe("the core entries alone", () => {
  test("a page importing only the core never fetches DynamicClient's module; importing it does", async () => {
    await page.browser.goto(`${page.site.url}/core.html?server=${encodeURIComponent(api)}`);
    await page.browser.waitText("#wasm", (t) => t !== "");
    const [bytes, connect, wasm] = await Promise.all(["#bytes", "#connect", "#wasm"].map((s) => page.browser.text(s)));
    assert.match(bytes, /^\d+ bytes$/);
    assert.equal(connect, "Alan Turing");
    assert.deepEqual(wasm.split(" "), ["/node_modules/grpc-web-wasm/grpc_web_wasm_bg.wasm"]);
    // The check sees the dynamic module when there is one to see: import it now.
    const later = await page.browser.run(async (api) => {
      const { GrpcWebClient } = await import("grpc-web-wasm");
      const { default: init, DynamicClient } = await import("grpc-web-wasm/dynamic");
      await init();
      const user = await (await DynamicClient.fromReflection(new GrpcWebClient(api))).call(
        "demo.v1.UserService/GetUser",
        { userId: 3 },
      );
      const wasm = performance
        .getEntriesByType("resource")
        .map((e) => new URL(e.name).pathname)
        .filter((p) => p.endsWith(".wasm"));
      return { name: user.name, wasm };
    }, api);
    assert.deepEqual(later, {
      name: "Grace Hopper",
      wasm: ["/node_modules/grpc-web-wasm/grpc_web_wasm_bg.wasm", "/node_modules/grpc-web-wasm/grpc_web_wasm_dynamic_bg.wasm"],
    });
  });
});

// Last: it leaves the app's page. The same small app built from the packed package by each
// bundler (www/bundlers/, built by `npm run bundle:vite` and `bundle:esbuild`), loaded as a
// user would load it: the wasm module must be found where the bundler put it.
describe("bundlers", () => {
  for (const bundler of ["vite", "esbuild"]) {
    test(`the ${bundler} build finds both wasm modules, the dynamic one only once imported`, async () => {
      await page.browser.goto(`${page.site.url}/dist/${bundler}/index.html?server=${encodeURIComponent(api)}`);
      const out = await page.browser.waitText("#out", (t) => t !== "loading…");
      assert.equal(out, "ok: Ada Lovelace, 2 streamed, Grace Hopper; wasm modules: 1, then 2");
    });
  }
});
