/**
 * What both grading processes (student-worker.ts, tests-worker.ts) do the same way: read their
 * job, report to the grader, and run cells in tslab's engine confined to the sandbox.
 *
 * - The job arrives as one line on file descriptor 3 before any cell runs; its nonce stays in
 *   this module's closure, so code in a cell cannot forge a report the grader will accept.
 * - Reports are written synchronously, so a cell that ends the process cannot lose the ones
 *   before it.
 * - The engine runs without its watchdog thread: the sandbox has no --allow-worker, and the
 *   grader sends SIGINT itself when a cell overruns, which the engine turns into TimeoutError.
 * - TypeScript's file watchers are off: the notebook's files never change here, and watching
 *   missing node_modules folders outside the sandbox would be denied.
 * - process._kill only signals this process, so a cell cannot stop the grader or its peer.
 */
import * as fs from "node:fs";
import type { CellEngine as Engine } from "../../runner/engine";
import { MAX_STDOUT, type Job, type WorkerMessage } from "./protocol";
import type { TensorLib } from "./remote-value";

const REPORT_FD = 3;

let pendingInput = Buffer.alloc(0);

/** The next line the grader wrote on file descriptor 3 (blocking: nothing else runs meanwhile). */
export function readGraderLine(): string {
  const buf = Buffer.alloc(1 << 16);
  for (;;) {
    const at = pendingInput.indexOf(10);
    if (at >= 0) {
      const line = pendingInput.subarray(0, at).toString("utf8");
      pendingInput = pendingInput.subarray(at + 1);
      return line;
    }
    let n: number;
    try {
      n = fs.readSync(REPORT_FD, buf, 0, buf.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EAGAIN") continue;
      throw err;
    }
    if (n === 0) throw new Error("the grader closed the job channel");
    pendingInput = Buffer.concat([pendingInput, buf.subarray(0, n)]);
  }
}

/** Reads the job line from the grader. */
export function readJob(): Job {
  return JSON.parse(readGraderLine()) as Job;
}

/** A report without its nonce (the reporter adds it). */
type Report = WorkerMessage extends infer M ? (M extends WorkerMessage ? Omit<M, "nonce"> : never) : never;

export function reporter(nonce: string): (m: Report) => void {
  const write = fs.writeSync;
  return (m) => {
    const line = Buffer.from(`${JSON.stringify({ ...m, nonce })}\n`, "utf8");
    let off = 0;
    while (off < line.length) {
      try {
        off += write(REPORT_FD, line, off, line.length - off);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      }
    }
  };
}

export function createEngine(): Engine {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ts = require("@tslab/typescript-for-tslab");
  const noWatch = () => ({ close: () => undefined });
  ts.sys.watchFile = noWatch;
  ts.sys.watchDirectory = noWatch;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { CellEngine } = require("../../runner/engine") as typeof import("../../runner/engine");
  return CellEngine.create({ watchdog: false });
}

export function guardKill(): void {
  const proc = process as unknown as { _kill: (pid: number, sig: number) => number };
  const raw = proc._kill.bind(process);
  const own = process.pid;
  // -1 is EPERM: process.kill throws "kill EPERM" for another pid.
  proc._kill = (pid: number, sig: number) => (pid === own ? raw(pid, sig) : -1);
}

export function stdoutOf(outputs: { output_type: string; name?: string; text?: unknown }[]): string {
  const text = outputs
    .filter((o) => o.output_type === "stream" && o.name === "stdout")
    .map((o) => (Array.isArray(o.text) ? o.text.join("") : String(o.text)))
    .join("");
  return text.length > MAX_STDOUT ? `${text.slice(0, MAX_STDOUT)}\n… (${text.length - MAX_STDOUT} more characters cut)` : text;
}

/** Runs one cell and reports its start and end. */
export async function runCell(
  engine: Engine,
  report: ReturnType<typeof reporter>,
  index: number,
  source: string,
  timeoutMs: number,
): Promise<{ ok: boolean }> {
  report({ type: "cell-start", index });
  const r = await engine.execute(source, { timeoutMs });
  const error = r.error ? { ename: String(r.error.ename).slice(0, 200), evalue: String(r.error.evalue).slice(0, 100_000), traceback: r.error.traceback.slice(0, 200).map((l) => String(l).slice(0, 10_000)) } : undefined;
  report({ type: "cell-end", index, ms: r.ms, timedOut: r.timedOut, error, stdout: stdoutOf(r.outputs) });
  return { ok: !r.error };
}

/**
 * The notebook's own tfjs (what its tensors are made of). Loaded on first use: by then the
 * notebook's setup cell has loaded it and chosen its backend.
 */
export function notebookTf(): TensorLib {
  let tf: TensorLib | undefined;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const load = (): TensorLib => (tf ??= require("../../rnnlab").tf);
  return new Proxy({} as TensorLib, { get: (_, key) => load()[key as keyof TensorLib] });
}

/** The worker's entry: a failure of the worker itself ends the process with its reason on stderr. */
export function main(run: (job: Job, startedMs: number) => Promise<void>): void {
  const started = performance.now();
  // A SIGINT that lands between cells must not end the process (the engine listens during cells).
  process.on("SIGINT", () => undefined);
  let job: Job;
  try {
    job = readJob();
  } catch (err) {
    console.error(`rnnlab grader worker: ${(err as Error).message}`);
    process.exit(2);
  }
  run(job, started).then(
    () => process.exit(0),
    (err) => {
      console.error(`rnnlab grader worker: ${(err as Error).stack ?? err}`);
      process.exit(3);
    },
  );
}
