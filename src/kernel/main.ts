/**
 * Entry point Jupyter starts: `node dist/kernel/main.js <connection file>` (see kernelspec.ts).
 */
import { exitProcess } from "./exit-guard";
import { Kernel } from "./kernel";
import { readConnectionFile } from "./wire";

const file = process.argv[2];
if (!file) {
  console.error("usage: node dist/kernel/main.js <connection file>");
  process.exit(2);
}
new Kernel(readConnectionFile(file)).start().catch((err) => {
  console.error(`rnnlab kernel: ${(err as Error).message}`);
  exitProcess(1);
});
