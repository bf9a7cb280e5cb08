/**
 * Optional, ungraded exercises: a free code cell marked `metadata.rnnlab.optional = {exercise: id}`
 * whose function throws NotImplementedError in both the teacher's and the student's notebook, and a
 * free check cell marked `{check: id}` that reports "not attempted" for the stub and compares an
 * answer otherwise. The grader never sees them (no nbgrader metadata). The teacher's answer and
 * planted wrong answers live in test/fixtures/optional/<notebook>/<id>/ (solution.ts, wrong/*.ts),
 * each a whole function. Here: the stub is reported as not attempted, the answer passes every
 * check, and every wrong answer fails one. The notebook's setup_imports cell runs first.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nbgraderOf } from "../../src/grading/exercise-cells";
import { CellEngine } from "../../src/runner/engine";
import { readNotebook, sourceOf, type Cell } from "../../src/runner/notebook";
import { ROOT, SOLUTIONS, notebookNames } from "./exercise-plan";

const FIXTURES = path.join(ROOT, "test/fixtures/optional");
const TIMEOUT_MS = 60_000;

const optionalOf = (cell: Cell) => (cell.metadata?.rnnlab as { optional?: { exercise?: string; check?: string } } | undefined)?.optional;

for (const name of notebookNames()) {
  const nb = readNotebook(path.join(SOLUTIONS, `${name}.ipynb`));
  const setup = nb.cells.find((c) => nbgraderOf(c)?.grade_id === "setup_imports");
  const exercises = nb.cells.filter((c) => optionalOf(c)?.exercise);
  if (exercises.length === 0) continue;

  describe(`${name} optional exercises`, () => {
    let engine: CellEngine;
    beforeAll(async () => {
      engine = CellEngine.create();
      engine.startNotebook(SOLUTIONS);
      const r = await engine.execute(setup ? sourceOf(setup) : "", { timeoutMs: TIMEOUT_MS });
      expect(r.error, "setup_imports").toBeUndefined();
    }, 5 * 60_000);
    afterAll(() => engine?.close());

    for (const cell of exercises) {
      const id = optionalOf(cell)!.exercise!;
      const check = nb.cells.find((c) => optionalOf(c)?.check === id);
      const dir = path.join(FIXTURES, name, id);
      // The stub cell's declarations before its function (types the fixtures use), then a fixture.
      const declarations = sourceOf(cell).slice(0, sourceOf(cell).indexOf("function "));
      const run = async (definition: string) => {
        const d = await engine.execute(definition, { timeoutMs: TIMEOUT_MS });
        expect(d.error, "the definition runs").toBeUndefined();
        const r = await engine.execute(sourceOf(check!), { timeoutMs: TIMEOUT_MS });
        // Displayed outputs only: console lines (the ✔ lines) go to vitest's console here.
        const text = r.outputs.map((o) => JSON.stringify(o)).join("\n");
        return { error: r.error, text };
      };

      it(`${id}: has a check cell, an answer and at least 3 wrong answers`, () => {
        expect(check, `no cell with metadata.rnnlab.optional.check = "${id}"`).toBeDefined();
        expect(fs.existsSync(path.join(dir, "solution.ts")), `${dir}/solution.ts`).toBe(true);
        expect(fs.readdirSync(path.join(dir, "wrong")).filter((f) => f.endsWith(".ts")).length).toBeGreaterThanOrEqual(3);
      });

      it(`${id}: the stub in the notebook is reported as not attempted`, async () => {
        const r = await run(sourceOf(cell));
        expect(r.error).toBeUndefined();
        expect(r.text).toContain("not attempted");
      });

      it(`${id}: the answer passes every check`, async () => {
        const r = await run(declarations + fs.readFileSync(path.join(dir, "solution.ts"), "utf8"));
        expect(r.error).toBeUndefined();
        expect(r.text).not.toContain("not attempted");
        expect(r.text).toContain("match autodiff");
      });

      const wrong = fs.existsSync(path.join(dir, "wrong")) ? fs.readdirSync(path.join(dir, "wrong")).filter((f) => f.endsWith(".ts")) : [];
      for (const f of wrong) {
        it(`${id}: wrong answer "${f.replace(/\.ts$/, "")}" fails a check`, async () => {
          const r = await run(declarations + fs.readFileSync(path.join(dir, "wrong", f), "utf8"));
          expect(r.error?.ename).toBe("CheckError");
        });
      }
    }
  });
}
