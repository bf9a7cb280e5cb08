import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // tfjs and tslab keep global state; one process per file keeps files independent.
    pool: "forks",
    // The exercise tests run planted wrong answers whose ✘ lines are expected: print a test's
    // console output only when that test fails.
    silent: "passed-only",
  },
});
