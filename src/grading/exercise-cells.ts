/**
 * The authoring format that release and grade share: nbgrader's cell metadata
 * (schema 3) and the source markers inside cells.
 *
 *   metadata.nbgrader = { grade_id, solution, grade, points?, locked, schema_version: 3, checksum?, cell_type? }
 *   (checksum and cell_type are written by the release, as nbgrader's generate_assignment does)
 *
 * - exercise cell  (solution: true):  code with `// BEGIN SOLUTION` … `// END SOLUTION` regions.
 *   Lines `// HINT: …` inside a region survive into the student's stub.
 * - test cell      (grade: true):     visible checks, plus optional
 *   `// BEGIN HIDDEN TESTS` … `// END HIDDEN TESTS` regions that only the grader runs.
 * - locked cell    (locked: true):    setup the student must not change.
 * - tag `skip-grading`:               not needed to grade (long training, plots).
 */
import { sourceOf, type Cell } from "../runner/notebook";
import { nbgraderChecksum } from "./nbgrader-checksum";

export const BEGIN_SOLUTION = "// BEGIN SOLUTION";
export const END_SOLUTION = "// END SOLUTION";
export const BEGIN_HIDDEN = "// BEGIN HIDDEN TESTS";
export const END_HIDDEN = "// END HIDDEN TESTS";
export const HINT_PREFIX = "// HINT:";
export const SKIP_TAG = "skip-grading";

export interface NbgraderMeta {
  grade_id: string;
  solution: boolean;
  grade: boolean;
  locked: boolean;
  points?: number;
  schema_version: 3;
  /** Set by the release: nbgrader's MD5 of the released cell, and the cell's type then. */
  checksum?: string;
  cell_type?: "code" | "markdown" | "raw";
}

export class AuthoringError extends Error {
  override name = "AuthoringError";
}

export function nbgraderOf(cell: Cell): NbgraderMeta | undefined {
  const m = cell.metadata?.nbgrader as Partial<NbgraderMeta> | undefined;
  return m && typeof m.grade_id === "string" ? (m as NbgraderMeta) : undefined;
}

export type CellRole = "exercise" | "test" | "locked" | "free";

export function roleOf(cell: Cell): CellRole {
  const m = nbgraderOf(cell);
  if (!m) return "free";
  if (m.solution) return "exercise";
  if (m.grade) return "test";
  return m.locked ? "locked" : "free";
}

export const isSkipped = (cell: Cell): boolean => (cell.metadata?.tags ?? []).includes(SKIP_TAG);

export interface Region {
  /** Line index of the BEGIN marker and of the END marker. */
  begin: number;
  end: number;
  /** The BEGIN marker's indentation, reused for the stub. */
  indent: string;
  /** The lines strictly between the markers. */
  body: string[];
}

/** Finds the marker regions in a cell's source; unbalanced or nested markers are an authoring error. */
export function regionsOf(source: string, begin: string, end: string, where: string): Region[] {
  const lines = source.split("\n");
  const regions: Region[] = [];
  let open: number | undefined;
  lines.forEach((line, i) => {
    const t = line.trim();
    if (t === begin) {
      if (open !== undefined) throw new AuthoringError(`${where}: line ${i + 1}: expected ${end} before another ${begin}, got a nested ${begin}.`);
      open = i;
    } else if (t === end) {
      if (open === undefined) throw new AuthoringError(`${where}: line ${i + 1}: expected ${begin} before ${end}, got ${end} alone.`);
      regions.push({ begin: open, end: i, indent: lines[open].match(/^\s*/)![0], body: lines.slice(open + 1, i) });
      open = undefined;
    }
  });
  if (open !== undefined) throw new AuthoringError(`${where}: line ${open + 1}: expected ${end} to close ${begin}, got the end of the cell.`);
  return regions;
}

function replaceRegions(source: string, regions: Region[], make: (r: Region) => string[]): string {
  const lines = source.split("\n");
  for (const r of [...regions].reverse()) lines.splice(r.begin, r.end - r.begin + 1, ...make(r));
  return lines.join("\n");
}

/** The student's stub: each solution region becomes its hints and a NotImplementedError naming the exercise. */
export function stubSource(source: string, gradeId: string): string {
  const regions = regionsOf(source, BEGIN_SOLUTION, END_SOLUTION, gradeId);
  if (regions.length === 0) throw new AuthoringError(`${gradeId}: expected a ${BEGIN_SOLUTION} … ${END_SOLUTION} region in the exercise cell, got none.`);
  return replaceRegions(source, regions, (r) => {
    const hints = r.body.filter((l) => l.trim().startsWith(HINT_PREFIX)).map((l) => r.indent + l.trim());
    return [...(hints.length ? hints : [`${r.indent}// YOUR CODE HERE`]), `${r.indent}throw new NotImplementedError(${JSON.stringify(gradeId)});`];
  });
}

/** The solution source with its markers taken out (what a perfect student would hand in). */
export function solvedSource(source: string, gradeId: string): string {
  return replaceRegions(source, regionsOf(source, BEGIN_SOLUTION, END_SOLUTION, gradeId), (r) => r.body);
}

/** An exercise cell with every solution region's body replaced by `body` (for planted wrong answers). */
export function withSolutionBody(source: string, gradeId: string, body: string): string {
  const regions = regionsOf(source, BEGIN_SOLUTION, END_SOLUTION, gradeId);
  if (regions.length !== 1) throw new AuthoringError(`${gradeId}: expected exactly one solution region to replace, got ${regions.length}.`);
  return replaceRegions(source, regions, () => body.replace(/\n$/, "").split("\n"));
}

/** A test cell as the student sees it: hidden regions removed. */
export function visibleTestSource(source: string, gradeId: string): string {
  return replaceRegions(source, regionsOf(source, BEGIN_HIDDEN, END_HIDDEN, gradeId), () => []);
}

/** A test cell as the grader runs it: hidden regions kept, markers removed. */
export function fullTestSource(source: string, gradeId: string): string {
  return replaceRegions(source, regionsOf(source, BEGIN_HIDDEN, END_HIDDEN, gradeId), (r) => r.body);
}

export const hasHiddenTests = (source: string, gradeId: string): boolean => regionsOf(source, BEGIN_HIDDEN, END_HIDDEN, gradeId).length > 0;

/**
 * The checksum nbgrader stores in a released cell and checks at grading time: nbgrader's own
 * MD5 (see nbgrader-checksum.ts), so nbgrader and rnnlab's grader call the same edits tampering.
 * Any change to the source counts, trailing whitespace included, as in nbgrader.
 */
export function cellChecksum(cell: Cell): string {
  return nbgraderChecksum(cell);
}
