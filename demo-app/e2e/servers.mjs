// Server processes a test runs itself: the project's server binary on a free port, stopped
// (SIGTERM, as a deployment restarts it) and started again on the same port.

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { createServer, request } from "node:http";

/** Starts `binary` with `args` on a free port (or `port`); resolves once it listens. */
export async function startServer(binary, args, port = 0) {
  const child = spawn(binary, ["--listen", `127.0.0.1:${port}`, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, RUST_LOG: "warn" },
  });
  const url = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const m = /^listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`${binary} exited (${code}) before listening`)));
  });
  const stopped = new Promise((resolve) => child.on("exit", resolve));
  return {
    url,
    /** SIGTERM, then waits for the process to exit. */
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await stopped;
    },
    /** Stops it and starts the same server on the same port. */
    async restart() {
      await this.stop();
      return startServer(binary, args, Number(new URL(url).port));
    },
  };
}

/**
 * A server without reflection: a proxy in front of `upstream` (pages, API and all) that
 * answers the reflection service as a server that has none does (UNIMPLEMENTED).
 */
export async function withoutReflection(upstream) {
  const server = createServer((req, res) => {
    if (req.url.startsWith("/grpc.reflection.")) {
      res.writeHead(200, {
        "content-type": "application/grpc-web+proto",
        "grpc-status": "12",
        "grpc-message": "unknown service",
      });
      res.end();
      return;
    }
    const target = new URL(req.url, upstream);
    const forward = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}
