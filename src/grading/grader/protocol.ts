/**
 * Messages between the grader and the two processes that grade one submission.
 *
 *   student process  runs the locked cells and the student's exercise cells, then answers
 *                    calls to the student's functions (student-worker.ts);
 *   test process     runs the locked cells, stand-ins for the exercise cells and the test
 *                    cells, and decides each test (tests-worker.ts). It never runs student code.
 *
 * Each process reads one `job` line on file descriptor 3 and writes one JSON line per report
 * there. The student's code can write anything to that descriptor, so the grader parses every
 * line defensively (parseReport): a line that is not a valid report for that process at that
 * point ends the process and is recorded as the submission's failure, never the grader's.
 */
export interface JobCell {
  /** The cell's place in the grading plan (both processes count the same cells). */
  index: number;
  gradeId: string;
  source: string;
  /** Exercise cells in the student's process: the names the tests will call. */
  graded?: string[];
}

export interface ChannelPaths {
  toStudent: string;
  toTests: string;
}

export interface Job {
  type: "job";
  nonce: string;
  cells: JobCell[];
  /**
   * The plan indices of the test process's cells that call the student's functions (tests,
   * and locked cells that use a graded name): the student's process must have run every cell
   * before such a cell, and no cell after it, when the test process runs it. Between them
   * both processes run their cells at the same time.
   */
  syncPoints: number[];
  timeoutMs: number;
  channel: ChannelPaths;
}

/** What the grader tells the test process after the student's process ended: its successor's channel, or none. */
export type GraderNotice = { type: "channel"; channel: ChannelPaths } | { type: "no-channel"; reason: string };

export interface CellError {
  ename: string;
  evalue: string;
  traceback: string[];
}

export type WorkerMessage =
  | { type: "started"; nonce: string; ms: number }
  | { type: "cell-start"; nonce: string; index: number }
  | { type: "cell-end"; nonce: string; index: number; ms: number; timedOut: boolean; error?: CellError; stdout: string }
  | { type: "done"; nonce: string };

/** Printed text kept per cell; more is cut (a cell printing in a loop must not flood the grader). */
export const MAX_STDOUT = 20_000;
/** The longest report line accepted (a cell-end with MAX_STDOUT of text and an error fits well). */
export const MAX_REPORT_BYTES = 1 << 20;

const isString = (v: unknown, max: number): v is string => typeof v === "string" && v.length <= max;

function validError(e: unknown): e is CellError {
  if (!e || typeof e !== "object") return false;
  const o = e as Record<string, unknown>;
  return isString(o.ename, 200) && isString(o.evalue, 100_000) && Array.isArray(o.traceback) && o.traceback.length <= 200 && o.traceback.every((l) => isString(l, 10_000));
}

/**
 * One report line, checked against the nonce and against where the process is: cell-start
 * must name a later cell than any before it, cell-end the cell that started. Returns the
 * message, or a sentence saying what was wrong.
 */
export function parseReport(line: string, nonce: string, expectIndex: (index: number, type: "cell-start" | "cell-end") => boolean): WorkerMessage | string {
  let m: unknown;
  try {
    m = JSON.parse(line);
  } catch {
    return `it wrote a line that is not a report (${JSON.stringify(line.slice(0, 60))})`;
  }
  if (!m || typeof m !== "object") return "it wrote a report that is not an object";
  const o = m as Record<string, unknown>;
  if (o.nonce !== nonce) return "it wrote a report without the job's key";
  switch (o.type) {
    case "started":
      return typeof o.ms === "number" ? (o as unknown as WorkerMessage) : "a malformed started report";
    case "done":
      return o as unknown as WorkerMessage;
    case "cell-start":
      if (!Number.isSafeInteger(o.index) || !expectIndex(o.index as number, "cell-start")) return `an unexpected cell-start report (cell ${String(o.index)})`;
      return o as unknown as WorkerMessage;
    case "cell-end": {
      const ok = Number.isSafeInteger(o.index) && typeof o.ms === "number" && typeof o.timedOut === "boolean" && isString(o.stdout, MAX_STDOUT + 200) && (o.error === undefined || validError(o.error));
      if (!ok) return "a malformed cell-end report";
      if (!expectIndex(o.index as number, "cell-end")) return `an unexpected cell-end report (cell ${String(o.index)})`;
      return o as unknown as WorkerMessage;
    }
    default:
      return `a report of unknown type ${JSON.stringify(String(o.type)).slice(0, 40)}`;
  }
}
