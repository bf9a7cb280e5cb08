/**
 * `npm run release [-- --check] [--source DIR] [--out DIR]`
 *
 * Writes the student versions (notebooks/) from the teacher's source (solutions/), nbgrader
 * style:
 * - each solution region becomes its hints and a NotImplementedError naming the exercise;
 * - hidden tests are removed;
 * - outputs and execution counts are cleared;
 * - locked and test cells become non-editable and non-deletable, exercise cells non-deletable
 *   (nbgrader's LockCells);
 * - every exercise, test and locked cell gets nbgrader's checksum of the cell as released and
 *   its cell type (nbgrader's ComputeChecksums), so the grader, and nbgrader, can tell a
 *   tampered cell from an untouched one;
 * - every notebook, source and released, must pass nbgrader's schema v3 (nbgrader-schema.ts).
 *
 * The output is deterministic, so `--check` can say whether notebooks/ is stale: it exits
 * non-zero naming every stale, missing or extra notebook.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readNotebook, serializeNotebook, sourceOf, toLines, type Cell, type Notebook } from "../runner/notebook";
import {
  AuthoringError, BEGIN_HIDDEN, END_HIDDEN, cellChecksum, isSkipped, nbgraderOf, regionsOf, roleOf, solvedSource, stubSource, visibleTestSource,
} from "./exercise-cells";
import { gradedCellOf } from "./grader/graded-names";
import { cellSchemaReport, notebookSchemaReport } from "./nbgrader-schema";

const ROOT = path.resolve(__dirname, "../..");

/** Every authoring mistake in a notebook at once, so the teacher fixes them in one pass. */
export function authoringProblems(nb: Notebook, name: string): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  nb.cells.forEach((cell, i) => {
    problems.push(...cellSchemaReport(cell, `${name}, cell ${i + 1}`).errors);
    const m = nbgraderOf(cell);
    if (!m) return;
    const where = `${name}, cell ${i + 1} (${m.grade_id})`;
    if (seen.has(m.grade_id)) problems.push(`${where}: expected a unique grade_id, got one already used by cell ${seen.get(m.grade_id)! + 1}.`);
    seen.set(m.grade_id, i);
    if (m.schema_version !== 3) problems.push(`${where}: expected nbgrader schema_version 3, got ${JSON.stringify(m.schema_version)}.`);
    const role = roleOf(cell);
    if (role !== "free" && cell.cell_type !== "code") problems.push(`${where}: expected a code cell for a ${role} cell, got a ${cell.cell_type} cell.`);
    if ((role === "exercise" || role === "test") && isSkipped(cell)) problems.push(`${where}: a ${role} cell is needed to grade, so it cannot be tagged skip-grading.`);
    if (role === "test" && !(typeof m.points === "number" && m.points > 0)) problems.push(`${where}: expected a test cell with points > 0, got ${JSON.stringify(m.points)}.`);
    if (m.solution && m.grade) problems.push(`${where}: expected an exercise cell (solution) or a test cell (grade), got both; put the tests in their own cell.`);
    try {
      if (role === "exercise") {
        stubSource(sourceOf(cell), m.grade_id);
        // The grader calls what the cell declares from another process: functions and constants only.
        gradedCellOf(solvedSource(sourceOf(cell), m.grade_id), m.grade_id);
      }
      if (role === "test") regionsOf(sourceOf(cell), BEGIN_HIDDEN, END_HIDDEN, where);
    } catch (err) {
      problems.push(err instanceof AuthoringError ? `${name}, cell ${i + 1}: ${err.message}` : String(err));
    }
  });
  return problems;
}

function releasedCell(cell: Cell): Cell {
  const out: Cell = JSON.parse(JSON.stringify(cell));
  if (out.cell_type === "code") {
    out.outputs = [];
    out.execution_count = null;
  }
  const m = nbgraderOf(out);
  const role = roleOf(out);
  if (!m) return out;
  if (role === "exercise") out.source = toLines(stubSource(sourceOf(cell), m.grade_id));
  if (role === "test") out.source = toLines(visibleTestSource(sourceOf(cell), m.grade_id));
  // nbgrader's LockCells: an exercise cell may be edited but not deleted; test and locked
  // cells may be neither.
  if (role === "exercise") out.metadata.deletable = false;
  if (role === "test" || role === "locked") {
    m.locked = true;
    out.metadata.editable = false;
    out.metadata.deletable = false;
  }
  // nbgrader's ComputeChecksums, run last as nbgrader runs it (after the solutions and hidden
  // tests are out): the checksum of the cell as the student receives it, and the cell type it
  // had, which nbgrader's validator compares with the submitted cell's.
  if (role !== "free") {
    delete m.checksum;
    m.checksum = cellChecksum(out);
    m.cell_type = out.cell_type;
  }
  return out;
}

/** The student version of one source notebook; throws an AuthoringError listing every problem. */
export function releaseNotebook(nb: Notebook, name: string): Notebook {
  const problems = authoringProblems(nb, name);
  if (problems.length) throw new AuthoringError(problems.join("\n"));
  const released = { ...nb, cells: nb.cells.map(releasedCell) };
  // The release adds checksums and cell types: check that nbgrader would still read the result.
  const invalid = notebookSchemaReport(released.cells, `${name} (released)`).errors;
  if (invalid.length) throw new AuthoringError(invalid.join("\n"));
  return released;
}

export interface ReleasePlan {
  /** Notebook file name → the released JSON text. */
  files: Map<string, string>;
  stale: string[];
  missing: string[];
  /** Notebooks in the output folder with no source: a learner's own, left alone. */
  extra: string[];
}

export function planRelease(sourceDir: string, outDir: string): ReleasePlan {
  if (!fs.existsSync(sourceDir)) throw new Error(`npm run release: --source: expected a folder of notebooks, got "${sourceDir}", which does not exist.`);
  const names = fs.readdirSync(sourceDir).filter((f) => f.endsWith(".ipynb")).sort();
  const files = new Map<string, string>();
  const problems: string[] = [];
  for (const f of names) {
    try {
      files.set(f, serializeNotebook(releaseNotebook(readNotebook(path.join(sourceDir, f)), f)));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length) throw new AuthoringError(problems.join("\n"));
  const existing = fs.existsSync(outDir) ? fs.readdirSync(outDir).filter((f) => f.endsWith(".ipynb")) : [];
  const plan: ReleasePlan = { files, stale: [], missing: [], extra: existing.filter((f) => !files.has(f)).sort() };
  for (const [f, text] of files) {
    const target = path.join(outDir, f);
    if (!fs.existsSync(target)) plan.missing.push(f);
    else if (fs.readFileSync(target, "utf8") !== text) plan.stale.push(f);
  }
  return plan;
}

interface ReleaseArgs { check: boolean; source: string; out: string }

export function parseReleaseArgs(argv: string[]): ReleaseArgs {
  const a: ReleaseArgs = { check: false, source: path.join(ROOT, "solutions"), out: path.join(ROOT, "notebooks") };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`npm run release: ${flag}: expected a folder after it, got ${v ?? "nothing"}.`);
      return path.resolve(v);
    };
    if (flag === "--check") a.check = true;
    else if (flag === "--source") a.source = value();
    else if (flag === "--out") a.out = value();
    else throw new Error(`npm run release: unknown argument ${flag}. Usage: npm run release -- [--check] [--source DIR] [--out DIR]`);
  }
  return a;
}

function main(): number {
  const args = parseReleaseArgs(process.argv.slice(2));
  const plan = planRelease(args.source, args.out);
  const rel = (f: string) => path.relative(process.cwd(), path.join(args.out, f));
  if (args.check) {
    const out = [...plan.stale.map((f) => `stale:   ${rel(f)}`), ...plan.missing.map((f) => `missing: ${rel(f)}`)];
    if (out.length === 0) {
      console.log(`release --check: ${plan.files.size} student notebook(s) are up to date.`);
      return 0;
    }
    console.error(`release --check: the student notebooks are out of date with ${path.relative(process.cwd(), args.source) || "."}:`);
    for (const line of out) console.error(`  ${line}`);
    console.error("Run `npm run release` and commit notebooks/.");
    return 1;
  }
  fs.mkdirSync(args.out, { recursive: true });
  for (const [f, text] of plan.files) fs.writeFileSync(path.join(args.out, f), text);
  const changed = plan.stale.length + plan.missing.length;
  console.log(`released ${plan.files.size} notebook(s) to ${path.relative(process.cwd(), args.out) || "."} (${changed} changed).`);
  if (plan.extra.length) console.log(`left alone (no source): ${plan.extra.map(rel).join(", ")}`);
  return 0;
}

if (require.main === module) {
  try {
    process.exit(main());
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
}
