// esbuild: it does not follow `new URL(…, import.meta.url)`, so each module is imported as a
// file (`--loader:.wasm=file` copies it next to the bundle; nothing is fetched until its
// init()) and its URL given to that init().
import core from "grpc-web-wasm/grpc_web_wasm_bg.wasm";
import dynamic from "grpc-web-wasm/grpc_web_wasm_dynamic_bg.wasm";
import { run } from "./app.js";

run({ core: new URL(core, import.meta.url), dynamic: new URL(dynamic, import.meta.url) });
