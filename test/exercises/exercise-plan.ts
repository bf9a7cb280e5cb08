/**
 * What the exercise tests run for one source notebook: the cells grading needs, in order, and
 * for each exercise the test cells bound to it (the test cells after it, up to the next
 * exercise) and its variants (stub, planted wrong answers from test/fixtures/wrong/).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fullTestSource, isSkipped, nbgraderOf, roleOf, solvedSource, stubSource, withSolutionBody } from "../../src/grading/exercise-cells";
import { readNotebook, sourceOf } from "../../src/runner/notebook";

export const ROOT = path.resolve(__dirname, "../..");
export const SOLUTIONS = path.join(ROOT, "solutions");
export const WRONG = path.join(ROOT, "test/fixtures/wrong");

export interface Variant {
  /** "stub" or the fixture's file name without .ts */
  name: string;
  source: string;
}

export interface Exercise {
  gradeId: string;
  /** Index into `steps` of the exercise cell. */
  step: number;
  solution: string;
  tests: { gradeId: string; source: string }[];
  variants: Variant[];
  /** Fixture folders that exist for this exercise (for the "at least 3" rule). */
  wrongCount: number;
}

export interface NotebookPlan {
  name: string;
  /** Every cell grading runs, solutions filled in and hidden tests included. */
  steps: { gradeId?: string; source: string; exercise?: Exercise }[];
  exercises: Exercise[];
  /** Fixture folders naming a grade_id that is not an exercise here. */
  strayFixtures: string[];
}

export function notebookNames(): string[] {
  return fs.readdirSync(SOLUTIONS).filter((f) => f.endsWith(".ipynb")).sort().map((f) => f.replace(/\.ipynb$/, ""));
}

export function planNotebook(name: string): NotebookPlan {
  const nb = readNotebook(path.join(SOLUTIONS, `${name}.ipynb`));
  const plan: NotebookPlan = { name, steps: [], exercises: [], strayFixtures: [] };
  let current: Exercise | undefined;
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code" || isSkipped(cell)) continue;
    const m = nbgraderOf(cell);
    const src = sourceOf(cell);
    const role = roleOf(cell);
    if (role === "exercise" && m) {
      const dir = path.join(WRONG, name, m.grade_id);
      const fixtures = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".ts")).sort() : [];
      current = {
        gradeId: m.grade_id,
        step: plan.steps.length,
        solution: solvedSource(src, m.grade_id),
        tests: [],
        variants: [
          { name: "stub", source: stubSource(src, m.grade_id) },
          ...fixtures.map((f) => ({ name: f.replace(/\.ts$/, ""), source: withSolutionBody(src, m.grade_id, fs.readFileSync(path.join(dir, f), "utf8")) })),
        ],
        wrongCount: fixtures.length,
      };
      plan.exercises.push(current);
      plan.steps.push({ gradeId: m.grade_id, source: current.solution, exercise: current });
    } else if (role === "test" && m) {
      const source = fullTestSource(src, m.grade_id);
      current?.tests.push({ gradeId: m.grade_id, source });
      plan.steps.push({ gradeId: m.grade_id, source });
    } else {
      plan.steps.push({ gradeId: m?.grade_id, source: src });
    }
  }
  const dir = path.join(WRONG, name);
  const ids = new Set(plan.exercises.map((e) => e.gradeId));
  if (fs.existsSync(dir)) plan.strayFixtures = fs.readdirSync(dir).filter((d) => !ids.has(d));
  return plan;
}
