/**
 * Which source notebook a submitted file is a copy of.
 *
 * Students rename: a browser saves a second download as `01-vanilla-rnn (1).ipynb`, Jupyter's
 * "Make a copy" gives `01-vanilla-rnn-Copy1.ipynb`. A file is matched, in this order, by its
 * exact name; by its name without such a copy suffix (any letter case); by its cells' grade_ids
 * (the source whose ids it shares most, if exactly one). Anything else is unmatched, and the
 * report says so.
 */
import { nbgraderOf } from "../exercise-cells";
import type { Notebook } from "../../runner/notebook";

export interface SourceMatch {
  /** The source notebook's file name, or undefined when none matches. */
  name?: string;
  /** How it was matched, for the report; empty for an exact match. */
  note: string;
}

const COPY_SUFFIX = /(?:\s*\(\d+\)|[-_ ]copy\d*|\s+copy(?:\s*\d+)?)+$/i;

export function withoutCopySuffix(file: string): string {
  const stem = file.replace(/\.ipynb$/i, "");
  return `${stem.replace(COPY_SUFFIX, "")}.ipynb`;
}

export function matchSource(file: string, submission: Notebook | undefined, sources: Map<string, Notebook>): SourceMatch {
  if (sources.has(file)) return { name: file, note: "" };
  const base = withoutCopySuffix(file).toLowerCase();
  const byName = [...sources.keys()].filter((s) => s.toLowerCase() === base);
  if (byName.length === 1) return { name: byName[0], note: `${file} was graded as ${byName[0]} (matched by its name)` };
  if (!submission) return { note: `${file} matches no source notebook by name` };
  const ids = new Set(submission.cells.map((c) => nbgraderOf(c)?.grade_id).filter((id): id is string => !!id));
  let best: string[] = [];
  let most = 0;
  for (const [name, nb] of sources) {
    const shared = nb.cells.filter((c) => ids.has(nbgraderOf(c)?.grade_id ?? "\0")).length;
    if (shared > most) [best, most] = [[name], shared];
    else if (shared === most && shared > 0) best.push(name);
  }
  if (best.length === 1) return { name: best[0], note: `${file} was graded as ${best[0]} (matched by its cells' grade_ids)` };
  if (best.length > 1) return { note: `${file} shares its cells with ${best.join(" and ")} equally; rename it to the notebook it answers` };
  return { note: `${file} matches no source notebook by name or by its cells` };
}
