/**
 * What the grader runs for one submission: the source notebook decides which cells run and in
 * which order; the submission only contributes the bodies of its exercise cells.
 *
 * - locked cells (setup, helpers): the source's version, whatever the submission holds;
 * - exercise cells: the student's version, matched by grade_id (a missing one runs as the stub,
 *   so its tests report "not attempted");
 * - test cells: the source's full version, hidden tests included, with a marker printed where
 *   the hidden tests begin so feedback can show the visible results only;
 * - cells tagged skip-grading, the source's untagged cells and the student's own extra cells
 *   do not run: graded cells must not depend on them (course conventions), and a student's
 *   extra cell could otherwise change the state the tests see.
 *
 * Tampering is reported by comparing each submitted locked or test cell with its released
 * form (cellChecksum), and with the checksum the release stored in its metadata.
 */
import { sourceOf, type Cell, type Notebook } from "../../runner/notebook";
import {
  BEGIN_HIDDEN, END_HIDDEN, cellChecksum, fullTestSource, isSkipped, nbgraderOf, regionsOf, roleOf, solvedSource, stubSource, visibleTestSource,
} from "../exercise-cells";
import { gradedCellOf } from "./graded-names";

/** Printed by a graded test cell where its hidden tests begin; what follows stays out of feedback. */
export const HIDDEN_MARKER = "\u241e rnnlab grader: hidden tests begin \u241e";

export type PlannedRole = "locked" | "exercise" | "test";

export interface PlannedCell {
  gradeId: string;
  role: PlannedRole;
  /** The code the test process runs (for an exercise cell: the stand-in of graded-names.ts). */
  source: string;
  /** Exercise cells: the code the student's process runs (the student's cell or the stub). */
  studentSource?: string;
  /** Exercise cells: the names the tests call. */
  graded?: string[];
  /** Where the code came from. */
  origin: "source" | "submission" | "stub";
  /** Test cells: the points and the exercise they grade (the nearest exercise cell above). */
  points?: number;
  exercise?: string;
}

export type ProblemKind = "missing" | "duplicate" | "tampered" | "unknown" | "checksum";

export interface Problem {
  kind: ProblemKind;
  gradeId: string;
  message: string;
}

export interface TestItem {
  gradeId: string;
  exercise: string;
  points: number;
}

export interface GradingPlan {
  cells: PlannedCell[];
  tests: TestItem[];
  problems: Problem[];
}

/** The graded tests of a source notebook, in order (also used when a submission cannot run). */
export function testsOf(source: Notebook): TestItem[] {
  const tests: TestItem[] = [];
  let exercise = "";
  for (const cell of source.cells) {
    const m = nbgraderOf(cell);
    if (!m || cell.cell_type !== "code") continue;
    const role = roleOf(cell);
    if (role === "exercise") exercise = m.grade_id;
    if (role === "test") tests.push({ gradeId: m.grade_id, exercise: exercise || m.grade_id, points: m.points ?? 0 });
  }
  return tests;
}

/** The test source the grader runs: hidden regions kept, their BEGIN marker replaced by a print of HIDDEN_MARKER. */
export function gradedTestSource(source: string, gradeId: string): string {
  const regions = regionsOf(source, BEGIN_HIDDEN, END_HIDDEN, gradeId);
  if (regions.length === 0) return fullTestSource(source, gradeId);
  const lines = source.split("\n");
  for (const r of regions) {
    lines[r.begin] = `${r.indent}console.log(${JSON.stringify(HIDDEN_MARKER)});`;
    lines[r.end] = "";
  }
  return lines.join("\n");
}

/** The cell as the release gave it to students, for tamper checks. */
function releasedForm(cell: Cell): Cell {
  const m = nbgraderOf(cell)!;
  return roleOf(cell) === "test" ? { ...cell, source: visibleTestSource(sourceOf(cell), m.grade_id) } : cell;
}

function tamperProblems(sourceCell: Cell, submitted: Cell, gradeId: string, role: PlannedRole): Problem[] {
  const what = role === "test" ? "test cell" : "locked cell";
  const problems: Problem[] = [];
  const expected = cellChecksum(releasedForm(sourceCell));
  const actual = cellChecksum(submitted);
  // The teacher's own solutions notebook, graded as a check, carries the full test cells.
  const asReleasedOrSource = actual === expected || actual === cellChecksum(sourceCell);
  if (!asReleasedOrSource) {
    problems.push({ kind: "tampered", gradeId, message: `${what} ${gradeId} was edited in the submission; the grader ran the original instead` });
  }
  const stored = nbgraderOf(submitted)?.checksum;
  if (stored !== undefined && stored !== actual && asReleasedOrSource) {
    problems.push({ kind: "checksum", gradeId, message: `${what} ${gradeId}: its stored checksum was changed, though its code matches the release` });
  }
  return problems;
}

export function planGrading(source: Notebook, submission: Notebook): GradingPlan {
  const problems: Problem[] = [];
  const byId = new Map<string, Cell>();
  const sourceIds = new Set(source.cells.map((c) => nbgraderOf(c)?.grade_id).filter((id): id is string => id !== undefined));
  for (const cell of submission.cells) {
    const id = nbgraderOf(cell)?.grade_id;
    if (id === undefined) continue;
    if (byId.has(id)) {
      problems.push({ kind: "duplicate", gradeId: id, message: `grade_id ${id} appears more than once in the submission; the grader used the first` });
      continue;
    }
    if (!sourceIds.has(id)) problems.push({ kind: "unknown", gradeId: id, message: `grade_id ${id} is not in the source notebook; that cell was not run` });
    byId.set(id, cell);
  }

  const cells: PlannedCell[] = [];
  let exercise = "";
  for (const cell of source.cells) {
    const m = nbgraderOf(cell);
    if (!m || cell.cell_type !== "code" || isSkipped(cell)) continue;
    const role = roleOf(cell);
    if (role === "free") continue;
    const submitted = byId.get(m.grade_id);
    const text = sourceOf(cell);
    if (role === "exercise") {
      exercise = m.grade_id;
      const { names, standIn } = gradedCellOf(solvedSource(text, m.grade_id), m.grade_id);
      const graded = { gradeId: m.grade_id, role, source: standIn, graded: names };
      if (submitted && submitted.cell_type === "code") {
        cells.push({ ...graded, studentSource: sourceOf(submitted), origin: "submission" });
      } else {
        const why = submitted ? `is a ${submitted.cell_type} cell` : "is missing";
        problems.push({ kind: "missing", gradeId: m.grade_id, message: `exercise cell ${m.grade_id} ${why} in the submission; graded as not attempted` });
        cells.push({ ...graded, studentSource: stubSource(text, m.grade_id), origin: "stub" });
      }
      continue;
    }
    if (!submitted) {
      problems.push({ kind: "missing", gradeId: m.grade_id, message: `${role === "test" ? "test" : "locked"} cell ${m.grade_id} was deleted from the submission; the grader ran the original` });
    } else {
      problems.push(...tamperProblems(cell, submitted, m.grade_id, role));
    }
    if (role === "test") {
      cells.push({ gradeId: m.grade_id, role, source: gradedTestSource(text, m.grade_id), origin: "source", points: m.points ?? 0, exercise: exercise || m.grade_id });
    } else {
      cells.push({ gradeId: m.grade_id, role, source: text, origin: "source" });
    }
  }
  return { cells, tests: testsOf(source), problems };
}
