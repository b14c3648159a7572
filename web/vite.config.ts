import { defineConfig } from "vite";

// Built into web/dist, which `scout serve` serves (index.html for every app route).
// `npm run dev` proxies the API to a running `scout serve` on :7700.
export default defineConfig({
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  server: { proxy: { "/v1": "http://127.0.0.1:7700" } },
});
