/**
 * `npm run bench:kernel`: the rnnlab kernel against
 * stock tslab, started and driven the same way over zeromq, alternately, in the same run, so
 * the ratios hold however busy the machine is.
 *
 * - start → first result: from spawning the kernel, through kernel_info (as jupyter_client's
 *   wait_for_ready does), to the `execute_result` of `1 + 1`;
 * - trivial cell: the round trip of `1 + 1` (request sent → status idle), median, once the type
 *   checker has loaded (a completion request waits for it);
 * - import rnnlab: `import { ready } from "rnnlab"; await ready();` as the notebook's first
 *   real cell, type checked, after the first result.
 */
import * as path from "node:path";
import { KernelClient } from "../kernel/client";

const ROOT = path.resolve(__dirname, "../..");
const KERNELS: Record<string, (file: string) => string[]> = {
  rnnlab: (f) => [path.join(ROOT, "dist/kernel/main.js"), f],
  tslab: (f) => [path.join(ROOT, "node_modules/tslab/dist/main.js"), "kernel", "--config-path", f],
};

interface Sample { startToFirstMs: number; trivialMs: number[]; importMs: number }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function sample(name: string, trivialRuns: number): Promise<Sample> {
  const argv = KERNELS[name];
  // tslab's main.js is a module with main(); run it as the bin script does.
  const command = name === "tslab" ? (f: string) => ["-e", 'require(process.argv[1]).main()', ...argv(f)] : argv;
  const t0 = performance.now();
  const k = await KernelClient.start(path.join(ROOT, "notebooks"), command);
  try {
    const first = await k.execute("1 + 1");
    const startToFirstMs = performance.now() - t0;
    if (first.reply.content.status !== "ok") throw new Error(`${name}: 1 + 1 failed: ${JSON.stringify(first.reply.content)}`);
    // The rnnlab kernel answers its first cells before its type checker has loaded; a completion
    // waits for it, so the cells timed below are type checked, as every later cell is.
    await k.request("complete_request", { code: "Mat", cursor_pos: 3 });
    const trivialMs: number[] = [];
    for (let i = 0; i < trivialRuns; i++) {
      const t = performance.now();
      await k.execute("1 + 1");
      trivialMs.push(performance.now() - t);
    }
    const t1 = performance.now();
    const imp = await k.execute('import { ready } from "rnnlab";\nawait ready();');
    const importMs = performance.now() - t1;
    if (imp.reply.content.status !== "ok") throw new Error(`${name}: import rnnlab failed: ${JSON.stringify(imp.reply.content)}`);
    return { startToFirstMs, trivialMs, importMs };
  } finally {
    await k.close();
  }
}

async function main(): Promise<void> {
  const json = process.argv.includes("--json");
  const rounds = 3;
  const samples: Record<string, Sample[]> = { rnnlab: [], tslab: [] };
  for (let r = 0; r < rounds; r++) for (const name of Object.keys(KERNELS)) samples[name].push(await sample(name, 30));
  const rows = Object.entries(samples).map(([kernel, ss]) => ({
    kernel,
    startToFirstMs: median(ss.map((s) => s.startToFirstMs)),
    trivialMs: median(ss.flatMap((s) => s.trivialMs)),
    importRnnlabMs: median(ss.map((s) => s.importMs)),
  }));
  if (json) {
    for (const row of rows) console.log(JSON.stringify(row));
    return;
  }
  const [mine, peer] = rows;
  console.log(`kernel   start → first result   trivial cell (median of ${rounds}×30)   import rnnlab cell`);
  for (const r of rows) {
    console.log(`${r.kernel.padEnd(8)} ${(r.startToFirstMs / 1000).toFixed(2).padStart(12)} s ${r.trivialMs.toFixed(1).padStart(22)} ms ${(r.importRnnlabMs / 1000).toFixed(2).padStart(22)} s`);
  }
  const ratio = (a: number, b: number) => (b / a).toFixed(2);
  console.log(
    `\nrnnlab vs tslab, same run (>1 means rnnlab is faster): start → first result ${ratio(mine.startToFirstMs, peer.startToFirstMs)}×, ` +
      `trivial cell ${ratio(mine.trivialMs, peer.trivialMs)}×, import rnnlab ${ratio(mine.importRnnlabMs, peer.importRnnlabMs)}×`,
  );
  console.log("targets: start → first result ≤ 1.0 s; trivial cell ≤ 10 ms at the median");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
