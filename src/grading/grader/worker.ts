/**
 * Runs one submission's cells inside the sandbox (see sandbox.ts), started by run-submission.ts
 * with an IPC channel. Reports each cell as it ends, so a cell that kills the process leaves
 * the later cells unreported, which the parent counts as failures.
 *
 * Before any student code runs:
 * - the engine runs without its watchdog thread: the sandbox has no --allow-worker, and the
 *   parent sends SIGINT itself when a cell overruns, which the engine turns into TimeoutError;
 * - TypeScript's file watchers are turned off: the notebook's files never change here, and
 *   watching missing node_modules folders outside the sandbox would be denied;
 * - process._kill only signals this process, so a cell cannot stop the grader.
 */
import type { CellEngine as Engine } from "../../runner/engine";
import { MAX_STDOUT, type Job, type WorkerMessage } from "./protocol";

const t0 = performance.now();
const send = process.send?.bind(process);
if (!send) {
  console.error("rnnlab grader worker: expected to be started by npm run grade with an IPC channel, got none.");
  process.exit(2);
}

function createEngine(): Engine {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ts = require("@tslab/typescript-for-tslab");
  const noWatch = () => ({ close: () => undefined });
  ts.sys.watchFile = noWatch;
  ts.sys.watchDirectory = noWatch;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { CellEngine } = require("../../runner/engine") as typeof import("../../runner/engine");
  return CellEngine.create({ watchdog: false });
}

function guardKill(): void {
  const proc = process as unknown as { _kill: (pid: number, sig: number) => number };
  const raw = proc._kill.bind(process);
  const own = process.pid;
  // -1 is EPERM: process.kill throws "kill EPERM" for another pid.
  proc._kill = (pid: number, sig: number) => (pid === own ? raw(pid, sig) : -1);
}

function stdoutOf(outputs: { output_type: string; name?: string; text?: unknown }[]): string {
  const text = outputs
    .filter((o) => o.output_type === "stream" && o.name === "stdout")
    .map((o) => (Array.isArray(o.text) ? o.text.join("") : String(o.text)))
    .join("");
  return text.length > MAX_STDOUT ? `${text.slice(0, MAX_STDOUT)}\n… (${text.length - MAX_STDOUT} more characters cut)` : text;
}

async function run(job: Job): Promise<void> {
  const nonce = job.nonce;
  const report = (m: WorkerMessage) => send!(m);
  // A SIGINT that lands between cells must not end the process (the engine listens during cells).
  process.on("SIGINT", () => undefined);
  const engine = createEngine();
  engine.startNotebook(process.cwd());
  guardKill();
  report({ type: "started", nonce, ms: performance.now() - t0 });
  for (const [index, cell] of job.cells.entries()) {
    report({ type: "cell-start", nonce, index });
    const r = await engine.execute(cell.source, { timeoutMs: job.timeoutMs });
    const error = r.error ? { ename: r.error.ename, evalue: r.error.evalue, traceback: r.error.traceback } : undefined;
    report({ type: "cell-end", nonce, index, ms: r.ms, timedOut: r.timedOut, error, stdout: stdoutOf(r.outputs) });
  }
  report({ type: "done", nonce });
  engine.close();
  process.disconnect?.();
  process.exit(0);
}

process.once("message", (job: Job) => {
  run(job).catch((err) => {
    console.error(`rnnlab grader worker: ${(err as Error).stack ?? err}`);
    process.exit(3);
  });
});
