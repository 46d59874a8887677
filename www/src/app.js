// @ts-check
// The demo page: the raw API (bytes in and out, here encoded from a FileDescriptorSet),
// a server stream, and dynamic calls through the server's reflection service. It uses both
// entries of the package: the core, and DynamicClient with its own wasm module.
import init, { GrpcError, GrpcWebClient } from "grpc-web-wasm";
import initDynamic, { DynamicClient } from "grpc-web-wasm/dynamic";

/** @param {string} id */
function $(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`no #${id}`);
  return element;
}

/** @param {string} id */
const input = (id) => /** @type {HTMLInputElement} */ ($(id));

/** @param {unknown} error */
function describe(error) {
  return error instanceof GrpcError ? `${error.codeName}: ${error.message}` : String(error);
}

/** @param {HTMLElement} element @param {unknown} error */
function showError(element, error) {
  element.className = "error";
  element.textContent = describe(error);
}

await Promise.all([init(), initDynamic()]);

// ?server=URL, else the page's own origin (the server can serve this app too).
const server = new URLSearchParams(location.search).get("server") ?? location.origin;
$("server").textContent = server;
const client = new GrpcWebClient(server, { timeoutMs: 10_000 });

// The descriptors of demo/v1/*.proto, written by `cargo xtask` (protox) as a FileDescriptorSet.
const descriptors = new Uint8Array(await (await fetch("./generated/demo.binpb")).arrayBuffer());
const schema = DynamicClient.fromFileDescriptorSet(client, descriptors);

/** @typedef {{ userId?: number, name?: string, email?: string }} User */

/** @param {Uint8Array} bytes @returns {User} */
const decodeUser = (bytes) => /** @type {User} */ (schema.decode("demo.v1.UserResponse", bytes));

/** @param {User} user */
const formatUser = (user) => `#${user.userId ?? 0} ${user.name ?? ""} <${user.email ?? ""}>`;

$("get-user").addEventListener("click", async () => {
  const out = $("user");
  out.className = "";
  out.textContent = "…";
  try {
    const request = schema.encode("demo.v1.UserRequest", { userId: Number(input("user-id").value) });
    const reply = await client.unary("/demo.v1.UserService/GetUser", request);
    out.textContent = formatUser(decodeUser(reply.message));
  } catch (error) {
    showError(out, error);
  }
});

/** @type {AbortController | undefined} */
let listing;
$("list-users").addEventListener("click", async () => {
  listing?.abort();
  const controller = new AbortController();
  listing = controller;
  const list = $("users");
  const status = $("list-status");
  list.replaceChildren();
  status.className = "";
  status.textContent = "streaming…";
  input("cancel-list").disabled = false;
  const request = schema.encode("demo.v1.ListUsersRequest", {
    nameContains: input("name-contains").value,
    delayMs: Number(input("delay-ms").value),
  });
  let count = 0;
  try {
    const stream = client.serverStream("/demo.v1.UserService/ListUsers", request, {
      signal: controller.signal,
    });
    for await (const message of stream) {
      const item = document.createElement("li");
      item.textContent = formatUser(decodeUser(message));
      list.append(item);
      count += 1;
    }
    status.textContent = `done: ${count} users`;
  } catch (error) {
    showError(status, error);
  } finally {
    input("cancel-list").disabled = true;
  }
});
$("cancel-list").addEventListener("click", () => listing?.abort());

/** @type {DynamicClient | undefined} */
let discovered;

/** @param {{ clientStreaming: boolean, serverStreaming: boolean }} m */
const kind = (m) =>
  m.clientStreaming ? (m.serverStreaming ? "bidi" : "client streaming") : m.serverStreaming ? "server streaming" : "unary";
$("discover").addEventListener("click", async () => {
  const services = $("services");
  services.className = "";
  services.replaceChildren();
  try {
    discovered = await DynamicClient.fromReflection(client);
    const select = /** @type {HTMLSelectElement} */ ($("method"));
    select.replaceChildren();
    for (const service of discovered.services()) {
      for (const method of service.methods) {
        const name = `${service.name}/${method.name}`;
        const item = document.createElement("li");
        item.textContent = `${name} (${method.inputType} → ${method.outputType}, ${kind(method)})`;
        services.append(item);
        select.append(new Option(name, name));
      }
    }
    select.value = "demo.v1.UserService/GetUser";
    input("call").disabled = false;
  } catch (error) {
    showError(services, error);
  }
});

$("call").addEventListener("click", async () => {
  const out = $("reply");
  out.className = "";
  out.textContent = "…";
  if (!discovered) return;
  const method = /** @type {HTMLSelectElement} */ ($("method")).value;
  try {
    const request = JSON.parse(/** @type {HTMLTextAreaElement} */ ($("request")).value);
    const info = discovered.services().flatMap((s) => s.methods).find((m) => m.path === `/${method}`);
    // Methods that stream requests take a JSON array, sent one by one over a WebSocket.
    const requests = Array.isArray(request) ? request : [request];
    /** @type {unknown} */
    let reply;
    switch (info ? kind(info) : "unary") {
      case "server streaming": {
        const replies = [];
        for await (const r of discovered.serverStream(method, request)) replies.push(r);
        reply = replies;
        break;
      }
      case "client streaming": {
        const call = discovered.clientStream(method);
        for (const r of requests) call.send(r);
        call.close();
        reply = await call.response;
        break;
      }
      case "bidi": {
        const call = discovered.bidiStream(method);
        for (const r of requests) call.send(r);
        call.close();
        const replies = [];
        for await (const r of call) replies.push(r);
        reply = replies;
        break;
      }
      default:
        reply = await discovered.call(method, request);
    }
    out.textContent = JSON.stringify(reply, null, 2);
  } catch (error) {
    showError(out, error);
  }
});

for (const id of ["get-user", "list-users", "discover"]) input(id).disabled = false;
$("status").textContent = "ready";
document.body.dataset.ready = "true";
