import { defineConfig, type ProxyOptions } from "vite";
import react from "@vitejs/plugin-react";

// The API make dev runs; ASTRALIS_API points web-dev elsewhere.
const api = process.env.ASTRALIS_API ?? "http://127.0.0.1:8080";

// In production the console and the API share one origin. The dev server
// stands in for it: it forwards the API's paths and presents them as coming
// from the API's own origin, so cookie sessions and the CSRF check behave as
// they do when the API serves the console itself.
const forward: ProxyOptions = { target: api, headers: { origin: new URL(api).origin } };

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist/app", // web/embed.go embeds it
    emptyOutDir: true,
  },
  server: {
    proxy: { "/api": forward, "/healthz": forward, "/readyz": forward },
  },
});
