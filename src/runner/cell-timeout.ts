/** A cell's time limit, read by the notebook's process and by the runner that watches it. */
import type { Cell } from "./notebook";

/** The cell's own time limit (metadata `rnnlab.timeout`, seconds) or the run's. */
export function cellTimeoutS(cell: Cell, defaultS: number): number {
  const own = (cell.metadata.rnnlab as { timeout?: unknown } | undefined)?.timeout;
  return typeof own === "number" && own > 0 ? own : defaultS;
}
