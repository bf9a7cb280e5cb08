/**
 * `node dist/bench/build-class.js --notebook 00-welcome --students 200 --out DIR [--wrong-every 5]`
 *
 * A class for measuring the grader at class scale (README, "Grading a class on a cluster"): the
 * released notebook once per student in DIR/submitted/student001/<notebook>/<notebook>.ipynb
 * (the layout `npm run exchange -- collect` writes), every exercise solved with the solution's
 * answer, except that every k-th student (--wrong-every k, 0 for none) hands in one of the
 * known wrong answers of test/fixtures/wrong/<notebook>/<exercise>/, in turn.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { nbgraderOf, solvedSource, withSolutionBody } from "../grading/exercise-cells";
import { releaseNotebook } from "../grading/student-release";
import { readNotebook, sourceOf, toLines, writeNotebook } from "../runner/notebook";

const ROOT = path.resolve(__dirname, "../..");

function option(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`build-class: --${name}: expected a value, got none.`);
  return v;
}

function main(): void {
  const notebook = option("notebook", "00-welcome");
  const students = Number(option("students", "200"));
  const wrongEvery = Number(option("wrong-every", "5"));
  const out = path.resolve(option("out"));
  if (!(Number.isInteger(students) && students > 0)) throw new Error(`build-class: --students: expected a whole number ≥ 1, got ${option("students")}.`);
  if (!(Number.isInteger(wrongEvery) && wrongEvery >= 0)) throw new Error(`build-class: --wrong-every: expected a whole number ≥ 0, got ${option("wrong-every")}.`);
  const name = `${notebook}.ipynb`;
  const source = readNotebook(path.join(ROOT, "solutions", name));
  const exercises = source.cells.map((c) => nbgraderOf(c)).filter((m) => m?.solution).map((m) => m!.grade_id);
  const wrongDir = path.join(ROOT, "test/fixtures/wrong", notebook);
  // Every known wrong answer, as [exercise, body].
  const wrongs = exercises.flatMap((id) => {
    const dir = path.join(wrongDir, id);
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort().map((f) => [id, fs.readFileSync(path.join(dir, f), "utf8")] as const) : [];
  });
  let wrongCount = 0;
  for (let s = 1; s <= students; s++) {
    const nb = releaseNotebook(source, name);
    const wrong = wrongEvery > 0 && s % wrongEvery === 0 && wrongs.length ? wrongs[wrongCount++ % wrongs.length] : undefined;
    nb.cells.forEach((cell, i) => {
      const m = nbgraderOf(cell);
      if (!m?.solution) return;
      const original = sourceOf(source.cells[i]);
      cell.source = toLines(wrong && wrong[0] === m.grade_id ? withSolutionBody(original, m.grade_id, wrong[1]) : solvedSource(original, m.grade_id));
    });
    const folder = path.join(out, "submitted", `student${String(s).padStart(3, "0")}`, notebook);
    fs.mkdirSync(folder, { recursive: true });
    writeNotebook(path.join(folder, name), nb);
  }
  console.log(`${students} submission(s) of ${name} in ${path.join(out, "submitted")}: ${students - wrongCount} solved, ${wrongCount} with a wrong answer`);
}

main();
