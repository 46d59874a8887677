// What every e2e test file shares: the environment `cargo xtask test` sets, one headless
// Chromium per file (Playwright driving Debian's Chromium; nothing is downloaded), tabs whose
// console errors and warnings are collected, and screenshots. The variables:
//   DEMO_URL        the server serving the bundle and the API (one origin)
//   CHROMIUM        the browser to drive
//   CHROMIUM_ARGS   JSON array of the project's Chromium flags
//   SCREENSHOTS     where the PNGs go
//   SERVER_BIN      the server binary, for tests that run servers of their own (a restart)
//   DIST            the bundle those serve
//   DESCRIPTORS     a FileDescriptorSet (demo.v1.UserService, grpc.testing) to drop on the Explorer

import { before, after } from "node:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const url = need("DEMO_URL").replace(/\/$/, "");
const shots = need("SCREENSHOTS");
const args = JSON.parse(need("CHROMIUM_ARGS")).filter((a) => !a.startsWith("--headless"));
const TIMEOUT = 15_000;

export function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run this with \`cargo xtask test --only demo\``);
  return value;
}

/** Starts the browser before the file's tests and closes it after; returns `open` and the problems seen. */
export function harness() {
  let browser;
  let context;
  const problems = [];
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
  return { open, problems };
}

export const text = (page, selector) => page.locator(selector).innerText();

export async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** The inspector's record of the newest call to `method`, opened. */
export async function inspect(page, method) {
  const call = page.locator("#inspector li.call", { hasText: method }).first();
  await call.locator("summary").click();
  return call;
}
