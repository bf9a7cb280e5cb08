/**
 * Runs one notebook in a process of its own (notebook-child.ts) and builds its executed notebook
 * and report from the child's progress file, whether the child finished or died: the cells that
 * ran keep their outputs, and a death is recorded as an error on the cell that was running
 * (process.exit, out of memory, a crash, or a kill once the cell is past its time limit by
 * KILL_GRACE_S without having stopped when interrupted).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { CellEvent } from "./engine";
import type { NotebookReport, ProgressLine } from "./course-types";
import { notebookTitle } from "./html";
import { cellTimeoutS } from "./cell-timeout";
import { readNotebook, type Cell, type ErrorOutput, type Notebook, type Output } from "./notebook";

/**
 * The child's own watchdog interrupts a cell at its limit and ends its JavaScript a second
 * later; only a cell blocked outside JavaScript (a synchronous child program, a native call) or a
 * broken engine is still running this long after its limit.
 */
export const KILL_GRACE_S = 15;
/** A child that said "done" but does not exit (a handle a notebook left open) is ended after this. */
const EXIT_GRACE_MS = 10_000;
const POLL_MS = 200;
const TAIL_BYTES = 8192;

/** Children still running, ended with their process groups if the runner is stopped. */
const running = new Set<ChildProcess>();
export function killAllNotebookProcesses(): void {
  for (const child of running) killGroup(child);
}
function killGroup(child: ChildProcess): void {
  try {
    // Detached: the child leads its own process group, which holds any program a cell started.
    process.kill(-(child.pid as number), "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

/** Applies a cell's live events to its outputs, as the engine does (streams merge, updates replace). */
function applyEvent(outputs: Output[], event: CellEvent, state: { clearOnNext: boolean }): void {
  if (event.type === "clear") {
    if (event.wait) state.clearOnNext = true;
    else outputs.length = 0;
    return;
  }
  if (event.type === "update") {
    for (const o of outputs) if (o.output_type !== "stream" && o.output_type !== "error" && o.transient?.display_id === event.displayId) o.data = event.output.data;
    return;
  }
  if (state.clearOnNext) {
    outputs.length = 0;
    state.clearOnNext = false;
  }
  const o = event.output;
  const last = outputs[outputs.length - 1];
  if (o.output_type === "stream" && last?.output_type === "stream" && last.name === o.name) last.text = String(last.text) + String(o.text);
  else outputs.push(o);
}

/** Why the child ended without finishing, as an nbformat error. */
function deathError(cell: number, code: number | null, signal: string | null, stderrTail: string, killedAfterS: number | undefined, limitS: number): ErrorOutput {
  const during = cell ? `while cell ${cell} ran` : "before its first cell";
  let ename: string;
  let evalue: string;
  if (killedAfterS !== undefined) {
    ename = "TimeoutError";
    evalue = `the cell ran longer than ${limitS} s, did not stop when interrupted, and its process was ended after ${killedAfterS.toFixed(0)} s`;
  } else if (/heap out of memory|Reached heap limit|Allocation failed/.test(stderrTail)) {
    ename = "OutOfMemoryError";
    evalue = `the notebook's process ran out of memory ${during} (Node's heap limit; raise it with NODE_OPTIONS=--max-old-space-size=MB)`;
  } else if (signal) {
    ename = "ProcessCrashError";
    evalue = `the notebook's process was ended by ${signal} ${during}`;
  } else {
    ename = "ProcessExitError";
    evalue = `the notebook's process ended with exit code ${code} ${during}${code === 3 ? `: ${stderrTail.trim().split("\n")[0]}` : ""}`;
  }
  const tail = stderrTail.trim() ? ["", "The process's last words on stderr:", ...stderrTail.trim().split("\n").slice(-12)] : [];
  return { output_type: "error", ename, evalue, traceback: [`${ename}: ${evalue}`, ...tail] };
}

export interface NotebookRun {
  nb: Notebook;
  report: NotebookReport;
}

export function runNotebookProcess(file: string, timeoutS: number): Promise<NotebookRun> {
  const nb = readNotebook(file);
  const name = path.basename(file, ".ipynb");
  const report: NotebookReport = { name, title: notebookTitle(nb, name), seconds: 0, cells: 0, errors: [], unsolved: [], cellSeconds: [] };
  const progressDir = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-course-"));
  const progressFile = path.join(progressDir, `${name}.jsonl`);
  fs.writeFileSync(progressFile, "");
  const t0 = performance.now();
  const child = spawn(process.execPath, [
    // A termination inside a timer's callback (the watchdog's last resort) otherwise aborts Node.
    "--no-force-async-hooks-checks",
    path.join(__dirname, "notebook-child.js"),
    file,
    String(timeoutS),
    progressFile,
  ], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let stderrTail = "";
  child.stderr?.on("data", (d: Buffer) => (stderrTail = (stderrTail + d.toString("utf8")).slice(-TAIL_BYTES)));
  child.stdout?.resume(); // what the engine prints outside cells (tfjs's banner) is not the notebook's

  const cells = new Map<number, Cell>(nb.cells.map((c, i) => [i + 1, c]));
  const live = { clearOnNext: false };
  let current = 0; // the cell running now, 0 between cells
  let currentSince = 0;
  let latest = 0;
  let done = false;
  let doneAt = 0;
  let killedAfterS: number | undefined;
  let offset = 0;
  let partialBytes = Buffer.alloc(0); // a line still being written

  const apply = (line: ProgressLine) => {
    if (line.type === "start") {
      current = latest = line.cell;
      currentSince = performance.now();
      live.clearOnNext = false;
      const cell = cells.get(line.cell) as Cell;
      cell.outputs = [];
      cell.execution_count = null;
    } else if (line.type === "event") applyEvent(cells.get(line.cell)?.outputs as Output[], line.event, live);
    else if (line.type === "cell") {
      current = 0;
      const cell = cells.get(line.cell) as Cell;
      cell.outputs = line.outputs;
      cell.execution_count = line.executionCount;
      report.cells++;
      report.cellSeconds.push({ cell: line.cell, seconds: line.seconds });
      if (line.error) {
        const grade = (cell.metadata.nbgrader as { grade_id?: string } | undefined)?.grade_id;
        const where = `${name}, cell ${line.cell}${grade ? ` (${grade})` : ""}`;
        if (line.error.ename === "NotImplementedError") report.unsolved.push(`${where}: ${line.error.evalue}`);
        else report.errors.push(`${where}: ${line.error.ename}: ${line.error.evalue}`);
      }
    } else if (line.type === "late") {
      (cells.get(line.cell || latest)?.outputs ?? []).push(line.error);
      report.errors.push(`${name}, cell ${line.cell}: ${line.error.ename}: ${line.error.evalue} (after the cell had ended)`);
    } else if (line.type === "done") {
      done = true;
      doneAt = performance.now();
    }
  };
  // Only what was appended since the last read: a notebook's plots can make the file megabytes long.
  const progressFd = fs.openSync(progressFile, "r");
  const readProgress = () => {
    const size = fs.fstatSync(progressFd).size;
    if (size <= offset) return;
    const buf = Buffer.alloc(size - offset);
    const got = fs.readSync(progressFd, buf, 0, buf.length, offset);
    offset += got;
    // A line may end in the middle of a character: decode whole lines only.
    const bytes = Buffer.concat([partialBytes, buf.subarray(0, got)]);
    const end = bytes.lastIndexOf(0x0a) + 1;
    partialBytes = bytes.subarray(end);
    const lines = bytes.subarray(0, end).toString("utf8").split("\n");
    for (const l of lines) {
      if (!l) continue;
      let line: ProgressLine;
      try {
        line = JSON.parse(l) as ProgressLine;
      } catch {
        // Only a notebook writing into the file itself makes such a line; the rest still counts.
        report.errors.push(`${name}: a line of the notebook process's progress file does not parse: ${l.slice(0, 80)}`);
        continue;
      }
      apply(line);
    }
  };
  const limitOf = (cell: number) => cellTimeoutS(cells.get(cell) as Cell, timeoutS);

  return new Promise<NotebookRun>((resolve) => {
    const poll = setInterval(() => {
      readProgress();
      const now = performance.now();
      if (current && killedAfterS === undefined && now - currentSince > (limitOf(current) + KILL_GRACE_S) * 1000) {
        killedAfterS = (now - currentSince) / 1000;
        killGroup(child);
      }
      if (done && now - doneAt > EXIT_GRACE_MS) killGroup(child);
    }, POLL_MS);
    let settled = false;
    const finish = (code: number | null, signal: string | null, spawnError?: Error) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      running.delete(child);
      readProgress();
      if (!done) {
        const dying = current || latest;
        if (current) report.cellSeconds.push({ cell: current, seconds: (performance.now() - currentSince) / 1000 });
        const error = spawnError
          ? ({ output_type: "error", ename: "ProcessStartError", evalue: `could not start the notebook's process: ${spawnError.message}`, traceback: [] } as ErrorOutput)
          : deathError(dying, code, signal, stderrTail, killedAfterS, dying ? limitOf(dying) : timeoutS);
        const cell = cells.get(dying);
        if (cell) {
          cell.outputs ??= [];
          cell.outputs.push(error);
          if (current) report.cells++;
        }
        report.errors.push(`${name}, cell ${dying || "-"}: ${error.ename}: ${error.evalue}`);
      }
      report.seconds = (performance.now() - t0) / 1000;
      fs.closeSync(progressFd);
      fs.rmSync(progressDir, { recursive: true, force: true });
      resolve({ nb, report });
    };
    // "close" comes once stderr is read to its end; a program the notebook started and left
    // running may hold the pipe open, so "exit" finishes the run a little later in any case.
    child.on("close", (code, signal) => finish(code, signal));
    child.on("exit", (code, signal) => setTimeout(() => finish(code, signal), 2000).unref());
    child.on("error", (err) => finish(null, null, err));
  });
}
