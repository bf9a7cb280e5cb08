/**
 * Messages between the grader and the worker that runs one submission (over Node's IPC channel).
 *
 * The parent sends one `job`; the worker answers `cell-start` and `cell-end` for each cell as it
 * happens, then `done`. Every message from the worker carries the job's nonce, which student code
 * never sees (it arrives before any cell runs and is kept in a closure), so a cell that calls
 * process.send cannot report a result. A report that never arrives is a failure.
 */
export interface JobCell {
  gradeId: string;
  source: string;
}

export interface Job {
  type: "job";
  nonce: string;
  cells: JobCell[];
  timeoutMs: number;
}

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
