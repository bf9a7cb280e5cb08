/**
 * Runs one submission's planned cells in a sandboxed child process (sandbox.ts, worker.ts) and
 * collects what each cell did. The parent keeps the clocks and the memory watch:
 * - a cell that runs past the timeout gets SIGINT (the engine reports TimeoutError and goes on);
 *   if it is still running a grace period later (an async loop that never yields), SIGKILL;
 * - the worker must start within `startupMs` (tslab, TypeScript and tfjs load in a few seconds);
 * - the child's resident memory is polled (Linux /proc) and the child is killed above `rssMb`;
 *   the V8 heap cap itself comes from --max-old-space-size, and a heap OOM is recognised from
 *   V8's fatal-error message.
 * Whatever happens, the result says which cells reported and, if the child died, why.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import type { CellError, Job, WorkerMessage } from "./protocol";
import type { PlannedCell } from "./plan";
import { sandboxArgs, sandboxEnv, type Runtime } from "./sandbox";

export interface RunLimits {
  timeoutMs: number;
  heapMb: number;
  rssMb: number;
  startupMs: number;
  graceMs: number;
}

export interface CellResult {
  ms: number;
  timedOut: boolean;
  error?: CellError;
  stdout: string;
}

export type Death =
  | { kind: "timeout"; cell: number; message: string }
  | { kind: "memory"; cell: number; message: string }
  | { kind: "exited"; cell: number; message: string }
  | { kind: "startup"; cell: number; message: string };

export interface RunResult {
  /** Indexed like the planned cells; undefined for a cell that never reported its end. */
  cells: (CellResult | undefined)[];
  death?: Death;
  startupMs?: number;
  seconds: number;
}

function rssMbOf(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function runSubmission(runtime: Runtime, scratch: string, planned: PlannedCell[], limits: RunLimits): Promise<RunResult> {
  const t0 = performance.now();
  const nonce = randomBytes(16).toString("hex");
  const result: RunResult = { cells: planned.map(() => undefined), seconds: 0 };
  const child = spawn(process.execPath, sandboxArgs(runtime, scratch, { heapMb: limits.heapMb }), {
    cwd: scratch,
    env: sandboxEnv(runtime),
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString("utf8")).slice(-8000)));
  child.stdout!.resume();

  let current = -1; // the cell running now (-1: starting up)
  let killedFor: Death | undefined;
  let interruptTimer: NodeJS.Timeout | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const clearTimers = () => {
    clearTimeout(interruptTimer);
    clearTimeout(killTimer);
  };
  const kill = (death: Death) => {
    killedFor ??= death;
    child.kill("SIGKILL");
  };
  const where = (i: number) => (i >= 0 && i < planned.length ? `cell ${planned[i].gradeId}` : "startup");

  killTimer = setTimeout(
    () => kill({ kind: "startup", cell: -1, message: `the notebook's process did not start within ${Math.round(limits.startupMs / 1000)} s` }),
    limits.startupMs,
  );
  const memoryWatch = setInterval(() => {
    const rss = child.pid ? rssMbOf(child.pid) : undefined;
    if (rss !== undefined && rss > limits.rssMb) {
      kill({ kind: "memory", cell: current, message: `${where(current)} used more than ${limits.rssMb} MB of memory (${Math.round(rss)} MB) and was stopped` });
    }
  }, 200);

  child.on("message", (m: WorkerMessage) => {
    if (!m || m.nonce !== nonce) return; // not the worker's own report
    if (m.type === "started") {
      clearTimers();
      result.startupMs = m.ms;
    } else if (m.type === "cell-start") {
      clearTimers();
      current = m.index;
      interruptTimer = setTimeout(() => child.kill("SIGINT"), limits.timeoutMs);
      killTimer = setTimeout(
        () => kill({ kind: "timeout", cell: m.index, message: `${where(m.index)} ran longer than ${Math.round(limits.timeoutMs / 1000)} s and did not stop when interrupted` }),
        limits.timeoutMs + limits.graceMs,
      );
    } else if (m.type === "cell-end") {
      clearTimers();
      result.cells[m.index] = { ms: m.ms, timedOut: m.timedOut, error: m.error, stdout: m.stdout };
    } else if (m.type === "done") {
      clearTimers();
      current = planned.length;
      // The worker exits by itself; one that lingers (a cell replaced process.exit) is stopped.
      killTimer = setTimeout(() => child.kill("SIGKILL"), limits.graceMs);
    }
  });

  const job: Job = { type: "job", nonce, timeoutMs: limits.timeoutMs, cells: planned.map((c) => ({ gradeId: c.gradeId, source: c.source })) };
  child.send(job);

  return new Promise((resolve) => {
    child.on("error", (err) => kill({ kind: "startup", cell: -1, message: `could not start node: ${err.message}` }));
    child.on("exit", (code, signal) => {
      clearTimers();
      clearInterval(memoryWatch);
      result.seconds = (performance.now() - t0) / 1000;
      const unfinished = result.cells.some((c) => c === undefined);
      if (killedFor) result.death = killedFor;
      else if (/heap out of memory|Reached heap limit|Allocation failed/i.test(stderr)) {
        result.death = { kind: "memory", cell: current, message: `${where(current)} ran out of memory (heap limit ${limits.heapMb} MB)` };
      } else if (unfinished) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const own = stderr.split("\n").find((l) => l.startsWith("rnnlab grader worker:"));
        const detail = own ? `: ${own.slice(0, 300)}` : "";
        result.death = { kind: "exited", cell: current, message: `the notebook's process ${how} during ${where(current)}${detail}` };
      }
      resolve(result);
    });
  });
}
