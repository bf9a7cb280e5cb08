/**
 * `node notebook-child.js <notebook> <default timeout, s> <progress file>`
 *
 * Runs one notebook in this process with a fresh engine, for the course runner (course.ts), which
 * starts one such process per notebook: whatever the notebook does to this process (replaces
 * globals, calls process.exit, leaves a throwing timer, exhausts memory, hangs) ends with it.
 * Each step is appended to the progress file as a JSON line (course-types.ts) with a synchronous
 * write, so the runner keeps every cell that ran even if this process dies the next moment.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ProgressLine } from "./course-types";
import { Worker } from "node:worker_threads";
import { CellEngine } from "./engine";
import { cellTimeoutS } from "./cell-timeout";
import { readNotebook, sourceOf } from "./notebook";

// Taken before any cell runs: a notebook may replace them.
const exit = process.exit.bind(process);
const stringify = JSON.stringify;
const writeSync = fs.writeSync;

/** How long the process lives on after the last cell, for errors that come just after it. */
const LATE_ERROR_WAIT_MS = 100;

async function runNotebook(file: string, timeoutS: number, progress: number): Promise<void> {
  const say = (line: ProgressLine) => writeSync(progress, stringify(line) + "\n");
  const nb = readNotebook(file);
  // The engine shares TypeScript's timers in tslab's one slot (tslab-timers.ts): its folder
  // watchers once ended a notebook's process with "Unexpected pending rebuildTimer".
  const engine = CellEngine.create();
  engine.startNotebook(path.dirname(file));
  let latest = 0;
  // A timer's throw or a late rejection between cells lands on the latest cell, as in the kernel.
  engine.reportLateErrorsTo((error) => say({ type: "late", cell: latest, error }));
  let count = 0;
  for (const [index, cell] of nb.cells.entries()) {
    if (cell.cell_type !== "code") continue;
    const number = index + 1;
    latest = number;
    say({ type: "start", cell: number });
    const r = await engine.execute(sourceOf(cell), {
      timeoutMs: cellTimeoutS(cell, timeoutS) * 1000,
      onEvent: (event) => say({ type: "event", cell: number, event }),
    });
    const executionCount = ++count;
    for (const o of r.outputs) if (o.output_type === "execute_result") o.execution_count = executionCount;
    const error = r.error && { ename: r.error.ename, evalue: r.error.evalue };
    say({ type: "cell", cell: number, executionCount, seconds: r.ms / 1000, outputs: r.outputs, error });
    // An unsolved exercise (student versions) lets the rest run; any other error stops the notebook.
    if (error && error.ename !== "NotImplementedError") break;
  }
  // A timer or promise the last cell left may still fail: give it a moment to, so its error
  // lands on that cell (as `late`) instead of vanishing with the process.
  await new Promise((resolve) => setTimeout(resolve, LATE_ERROR_WAIT_MS));
  say({ type: "done" });
}

/**
 * This process leads its own process group (so the runner can end it with the programs its cells
 * started); a runner killed outright could not, so a thread ends the group once the runner is
 * gone. A thread, because the notebook may block the main one.
 */
const ORPHAN_WATCH = `
const { workerData } = require("node:worker_threads");
setInterval(() => {
  if (process.ppid !== workerData.runner) process.kill(-workerData.group, "SIGKILL");
}, 500);`;

if (require.main === module) {
  new Worker(ORPHAN_WATCH, { eval: true, workerData: { runner: process.ppid, group: process.pid } }).unref();
  const [file, timeout, progressFile] = process.argv.slice(2);
  const progress = fs.openSync(progressFile, "a");
  runNotebook(file, Number(timeout), progress).then(
    () => exit(0),
    (err) => {
      // The runner's own failure (the notebook unreadable, the engine not starting): its stderr.
      console.error((err as Error)?.stack ?? String(err));
      exit(3);
    },
  );
}
