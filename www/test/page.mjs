// What every www suite starts from: the servers `cargo xtask test` started (named in its
// environment), and the app's page open in headless Chromium, from before the suite's first
// test until after its last.
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { serve } from "../scripts/serve.mjs";
import { launch } from "./webdriver.mjs";

/** The variable `name`, which `cargo xtask test` sets. */
export const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this through \`cargo xtask test\``);
  return value;
};

/**
 * Registers the suite's `before` and `after`: `page.browser` and `page.site` (the static
 * server of www/, `page.site.url`) exist while its tests run; `page.api` and `page.fault` are
 * the server and the misbehaving fixture.
 */
export function openApp() {
  const page = {
    api: env("GRPC_WEB_TEST_SERVER"),
    fault: env("GRPC_WEB_TEST_FAULT_SERVER"),
    browser: undefined,
    site: undefined,
    /**
     * Runs `body(m, api, fault)` in the page: `m` holds the core package (`init`, its default
     * export, already called once), the connect-es transport, connect-es, protobuf-es and
     * the grpc.testing code protoc-gen-es generated. `body` goes as source text.
     */
    inPage: (body) =>
      page.browser.run(
        async (source, api, fault) => {
          const [pkg, transport, connect, protobuf, test, messages] = await Promise.all([
            import("grpc-web-wasm"),
            import("grpc-web-wasm/connect"),
            import("@connectrpc/connect"),
            import("@bufbuild/protobuf"),
            import("./generated/es/grpc/testing/test_pb.js"),
            import("./generated/es/grpc/testing/messages_pb.js"),
          ]);
          const m = { ...pkg, init: pkg.default, ...transport, ...connect, ...protobuf, ...test, ...messages };
          await m.init();
          return new Function("m", "api", "fault", `return (${source})(m, api, fault);`)(m, api, fault);
        },
        body.toString(),
        page.api,
        page.fault,
      ),
  };
  before(async () => {
    page.site = await serve(fileURLToPath(new URL("..", import.meta.url)));
    page.browser = await launch({
      chromedriver: env("CHROMEDRIVER"),
      chromium: env("CHROMIUM"),
      args: JSON.parse(env("CHROMIUM_ARGS")),
    });
    await page.browser.goto(`${page.site.url}/?server=${encodeURIComponent(page.api)}`);
    await page.browser.waitText("#status", (t) => t === "ready");
  });
  after(async () => {
    await page.browser?.quit();
    await page.site?.close();
  });
  return page;
}

/**
 * The API suites' runner: `run(body)` runs `body(pkg, api, fault)` in `page` with the
 * package imported as an app would (the core, and DynamicClient from its own entry; the page
 * initialised both); `fault` is the misbehaving peer's base URL. `body` goes as source text.
 */
export const packageRunner = (page) => (body) =>
  page.browser.run(
    async (source, api, fault) => {
      const [core, dynamic] = await Promise.all([import("grpc-web-wasm"), import("grpc-web-wasm/dynamic")]);
      const pkg = { ...core, DynamicClient: dynamic.DynamicClient };
      return new Function("pkg", "api", "fault", `return (${source})(pkg, api, fault);`)(pkg, api, fault);
    },
    body.toString(),
    page.api,
    page.fault,
  );
