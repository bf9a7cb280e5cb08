/**
 * What the course runner and the process that runs one notebook say to each other, and what the
 * runner reports per notebook. The child appends one JSON line per step to a progress file with
 * synchronous writes, so everything up to the moment it dies (process.exit, out of memory, a kill
 * at the time limit) is on disk for the runner to keep.
 */
import type { CellEvent } from "./engine";
import type { ErrorOutput, Output } from "./notebook";

export interface NotebookReport {
  name: string;
  title: string;
  seconds: number;
  cells: number;
  /** Fatal problems: the notebook stopped at the first. */
  errors: string[];
  /** Exercises not solved yet (student versions only). */
  unsolved: string[];
  /** Seconds per code cell that ran, with its index among the notebook's cells (1-based). */
  cellSeconds: { cell: number; seconds: number }[];
}

/** One line of the progress file. `cell` is the index among the notebook's cells, 1-based. */
export type ProgressLine =
  | { type: "start"; cell: number }
  /** An output, update or clear as the cell makes it: kept if the process dies mid-cell. */
  | { type: "event"; cell: number; event: CellEvent }
  /** The cell ended: its outputs replace what its events built. */
  | { type: "cell"; cell: number; executionCount: number; seconds: number; outputs: Output[]; error?: { ename: string; evalue: string } }
  /** An error thrown by a timer or a late rejection between cells: it fails the notebook. */
  | { type: "late"; cell: number; error: ErrorOutput }
  | { type: "done" };
