import { defineConfig } from "vitest/config";

// `npm run test:browser` only: these files start Jupyter servers and Chromium, so `npm test`
// (test/**/*.test.ts) does not pick them up.
export default defineConfig({
  test: {
    include: ["test/browser/**/*.browser.ts"],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    pool: "forks",
    // One server and one Chromium at a time: the machine has 2 cores.
    fileParallelism: false,
  },
});
