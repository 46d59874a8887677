// Vite: it finds each glue's `new URL("…_bg.wasm", import.meta.url)` and copies the modules
// into the build (the dynamic one with the chunk `import()` splits off); nothing to set.
import { run } from "./app.js";

run();
