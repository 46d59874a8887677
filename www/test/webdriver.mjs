// Just enough W3C WebDriver to drive headless Chromium through chromedriver, with Node's own
// fetch: no browser-automation package, so it runs on any Node with fetch (18+).
import { spawn } from "node:child_process";
import { createServer } from "node:net";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

function freePort() {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Starts chromedriver and a Chromium session; `quit()` ends both. */
export async function launch({ chromedriver, chromium, args }) {
  const port = await freePort();
  const driver = spawn(chromedriver, [`--port=${port}`, "--allowed-ips=127.0.0.1"], { stdio: "ignore" });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/status`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      driver.kill();
      throw new Error("chromedriver did not start within 15 s");
    }
    await sleep(100);
  }
  const session = await request(base, "POST", "/session", {
    capabilities: { alwaysMatch: { "goog:chromeOptions": { binary: chromium, args } } },
  });
  return new Browser(base, session.sessionId, driver);
}

async function request(base, method, path, body) {
  const reply = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await reply.json();
  if (!reply.ok) throw new Error(`WebDriver ${method} ${path}: ${JSON.stringify(json.value)}`);
  return json.value;
}

class Browser {
  constructor(base, id, driver) {
    this.base = base;
    this.id = id;
    this.driver = driver;
  }

  command(method, path, body) {
    return request(this.base, method, `/session/${this.id}${path}`, body);
  }

  goto(url) {
    return this.command("POST", "/url", { url });
  }

  /** Runs `fn(...args)` in the page (it may be async) and returns its JSON-able result. */
  run(fn, ...args) {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve((${fn})(...Array.from(arguments).slice(0, -1)))
        .then(done, (e) => done({ thrown: String(e && e.stack || e) }));`;
    return this.command("POST", "/execute/async", { script, args });
  }

  async element(css) {
    const found = await this.command("POST", "/element", { using: "css selector", value: css });
    return found[ELEMENT];
  }

  async click(css) {
    await this.command("POST", `/element/${await this.element(css)}/click`, {});
  }

  async type(css, text) {
    const id = await this.element(css);
    await this.command("POST", `/element/${id}/clear`, {});
    await this.command("POST", `/element/${id}/value`, { text });
  }

  async text(css) {
    return this.command("GET", `/element/${await this.element(css)}/text`);
  }

  /** Waits until the text of `css` satisfies `ok`, and returns it. */
  async waitText(css, ok, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    let text = "";
    while (Date.now() < deadline) {
      text = await this.text(css).catch(() => "");
      if (ok(text)) return text;
      await sleep(100);
    }
    throw new Error(`timed out waiting on ${css}; it shows: ${JSON.stringify(text)}`);
  }

  async quit() {
    await this.command("DELETE", "", undefined).catch(() => {});
    this.driver.kill();
  }
}
