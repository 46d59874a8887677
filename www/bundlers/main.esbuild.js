// esbuild: it does not follow `new URL(…, import.meta.url)`, so the module is imported as a
// file (`--loader:.wasm=file` copies it next to the bundle) and its URL given to init().
import wasm from "grpc-web-wasm/grpc_web_wasm_bg.wasm";
import { run } from "./app.js";

run(new URL(wasm, import.meta.url));
