/**
 * `npm run bench:grade [-- --notebook 01-vanilla-rnn --students 50]`: how long the grader takes.
 *
 * Builds a class in a temporary folder: the released notebook with every exercise solved, once
 * per student. Then grades one submission at a time (--jobs 1, five of them: the median is the
 * time a grader waits for one notebook), and the whole class with --jobs 2 (wall time and
 * submissions per minute).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { nbgraderOf, solvedSource } from "../grading/exercise-cells";
import { parseGradeArgs } from "../grading/grader/args";
import { gradeBatch } from "../grading/grader/grade";
import { releaseNotebook } from "../grading/student-release";
import { readNotebook, sourceOf, toLines, writeNotebook } from "../runner/notebook";

const ROOT = path.resolve(__dirname, "../..");

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function buildClass(dir: string, notebook: string, students: number): void {
  const name = `${notebook}.ipynb`;
  const source = readNotebook(path.join(ROOT, "solutions", name));
  const solved = releaseNotebook(source, name);
  solved.cells.forEach((cell, i) => {
    const m = nbgraderOf(cell);
    if (m?.solution) cell.source = toLines(solvedSource(sourceOf(source.cells[i]), m.grade_id));
  });
  for (let s = 1; s <= students; s++) {
    const folder = path.join(dir, `student${String(s).padStart(2, "0")}`);
    fs.mkdirSync(folder, { recursive: true });
    writeNotebook(path.join(folder, name), solved);
  }
}

async function main(): Promise<void> {
  const notebook = option("notebook", "01-vanilla-rnn");
  const students = Number(option("students", "50"));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-grade-bench-"));
  try {
    const klass = path.join(work, "class");
    buildClass(klass, notebook, students);
    const one = parseGradeArgs([...Array.from({ length: 5 }, (_, i) => path.join(klass, `student${String(i + 1).padStart(2, "0")}`)), "--jobs", "1", "--out", path.join(work, "one")]);
    const single = await gradeBatch(one, () => undefined);
    const full = single.every((r) => r.points === r.maxPoints);
    console.log(`${notebook}, one submission at a time (--jobs 1, 5 runs): median ${median(single.map((r) => r.seconds)).toFixed(2)} s per submission${full ? "" : " (NOT all full marks!)"}`);

    const batch = parseGradeArgs([klass, "--jobs", "2", "--out", path.join(work, "batch")]);
    const t0 = performance.now();
    const reports = await gradeBatch(batch, () => undefined);
    const wall = (performance.now() - t0) / 1000;
    const allFull = reports.every((r) => r.points === r.maxPoints);
    console.log(
      `${reports.length} submissions with --jobs 2: ${wall.toFixed(1)} s wall, ${((reports.length / wall) * 60).toFixed(1)} submissions per minute, ` +
        `median ${median(reports.map((r) => r.seconds)).toFixed(2)} s each${allFull ? "" : " (NOT all full marks!)"}`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
