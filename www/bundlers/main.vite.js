// Vite: it finds the package's `new URL("grpc_web_wasm_bg.wasm", import.meta.url)` and copies
// the module into the build; nothing to set.
import { run } from "./app.js";

run();
