import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react()],
  build: {
    // No inline scripts or data: URLs, so the Content-Security-Policy can stay 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    testTimeout: 15000,
    // One jsdom for all files, one file at a time: setting up jsdom per file cost more than the
    // tests on a 2-core machine. Each test cleans up after itself (src/test/setup.ts).
    isolate: false,
    fileParallelism: false,
  },
});
