// The bundler test's Vite build: this directory's index.html into dist/vite.
export default {
  root: new URL(".", import.meta.url).pathname,
  base: "./",
  logLevel: "warn",
  build: { outDir: "../dist/vite", emptyOutDir: true, target: "es2022" },
};
