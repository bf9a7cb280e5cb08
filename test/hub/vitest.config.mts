import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// `npm run test:hub` only: the hub test needs root, Debian's jupyterhub and local accounts, so it
// is named *.e2e.ts and stays out of `npm test`'s test/**/*.test.ts.
export default defineConfig({
  root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../.."),
  test: {
    include: ["test/hub/**/*.e2e.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: "forks",
    // One hub, steps in order.
    sequence: { concurrent: false },
    fileParallelism: false,
  },
});
