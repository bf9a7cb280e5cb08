/**
 * For every exercise in solutions/: the solution passes its visible and hidden tests, the
 * released stub fails them with NotImplementedError, and every planted wrong answer in
 * test/fixtures/wrong/<notebook>/<grade_id>/ fails at least one of them.
 *
 * One engine per notebook: the cells grading needs run once, in order; at each exercise the
 * variants are swapped in, its tests run against each, and the solution is put back so that
 * later cells (which may call this exercise) see the right function.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CellEngine } from "../../src/runner/engine";
import { SOLUTIONS, notebookNames, planNotebook, type Exercise } from "./exercise-plan";

const CELL_TIMEOUT_MS = 60_000;

interface TestRun { gradeId: string; error?: { ename: string; evalue: string } }
interface VariantRun { defineError?: string; tests: TestRun[] }

const describeError = (r: TestRun) => `${r.gradeId}: ${r.error ? `${r.error.ename}: ${r.error.evalue.split("\n")[0]}` : "passed"}`;

for (const name of notebookNames()) {
  const plan = planNotebook(name);

  describe(`${name}`, () => {
    let engine: CellEngine;
    const setupErrors: string[] = [];
    const solutionRuns = new Map<string, TestRun[]>();
    const variantRuns = new Map<string, VariantRun>();

    const runTests = async (ex: Exercise): Promise<TestRun[]> => {
      const runs: TestRun[] = [];
      for (const t of ex.tests) {
        const r = await engine.execute(t.source, { timeoutMs: CELL_TIMEOUT_MS });
        runs.push({ gradeId: t.gradeId, error: r.error && { ename: r.error.ename, evalue: r.error.evalue } });
      }
      return runs;
    };

    beforeAll(async () => {
      engine = CellEngine.create();
      engine.startNotebook(SOLUTIONS);
      // Cells run in source order; once an exercise's last test cell has run, its variants
      // are tried (the exercise cell swapped, its tests re-run) and the solution put back.
      const lastTest = new Map(plan.exercises.filter((e) => e.tests.length).map((e) => [e.tests[e.tests.length - 1].gradeId, e]));
      const testOf = new Map(plan.exercises.flatMap((e) => e.tests.map((t) => [t.gradeId, e] as const)));
      for (const step of plan.steps) {
        const r = await engine.execute(step.source, { timeoutMs: CELL_TIMEOUT_MS });
        const owner = step.gradeId ? testOf.get(step.gradeId) : undefined;
        if (owner) {
          solutionRuns.set(owner.gradeId, [...(solutionRuns.get(owner.gradeId) ?? []), { gradeId: step.gradeId!, error: r.error && { ename: r.error.ename, evalue: r.error.evalue } }]);
        } else if (r.error) {
          setupErrors.push(`${step.exercise ? `${step.gradeId} (solution)` : step.gradeId ?? "a cell"}: ${r.error.ename}: ${r.error.evalue}`);
        }
        const ex = step.gradeId ? lastTest.get(step.gradeId) : undefined;
        if (!ex) continue;
        for (const v of ex.variants) {
          const d = await engine.execute(v.source, { timeoutMs: CELL_TIMEOUT_MS });
          variantRuns.set(`${ex.gradeId}/${v.name}`, d.error ? { defineError: `${d.error.ename}: ${d.error.evalue}`, tests: [] } : { tests: await runTests(ex) });
        }
        const back = await engine.execute(ex.solution, { timeoutMs: CELL_TIMEOUT_MS });
        if (back.error) setupErrors.push(`${ex.gradeId}: the solution could not be restored: ${back.error.evalue}`);
      }
    }, 30 * 60_000);

    afterAll(() => engine?.close());

    it("runs every cell grading needs", () => {
      expect(setupErrors).toEqual([]);
    });

    it("has no fixture folder for an exercise that does not exist", () => {
      expect(plan.strayFixtures).toEqual([]);
    });

    for (const ex of plan.exercises) {
      describe(ex.gradeId, () => {
        it("has test cells and at least 3 planted wrong solutions", () => {
          expect(ex.tests.length, `${ex.gradeId} has no test cell after it`).toBeGreaterThan(0);
          expect(ex.wrongCount, `test/fixtures/wrong/${name}/${ex.gradeId}/ needs at least 3 .ts files`).toBeGreaterThanOrEqual(3);
        });

        it("solution passes its visible and hidden tests", () => {
          const runs = solutionRuns.get(ex.gradeId) ?? [];
          expect(runs.length).toBe(ex.tests.length);
          expect(runs.filter((r) => r.error).map(describeError)).toEqual([]);
        });

        for (const v of ex.variants) {
          const label = v.name === "stub" ? "the released stub fails with NotImplementedError" : `planted wrong solution "${v.name}" fails a test`;
          it(label, () => {
            const run = variantRuns.get(`${ex.gradeId}/${v.name}`);
            expect(run, "variant did not run").toBeDefined();
            // A variant that does not even compile proves nothing about the tests.
            expect(run!.defineError, `${v.name} does not define the exercise`).toBeUndefined();
            const failed = run!.tests.filter((t) => t.error);
            expect(failed.length, `every test passed: ${run!.tests.map(describeError).join("; ")}`).toBeGreaterThan(0);
            if (v.name === "stub") expect(failed[0].error!.ename).toBe("NotImplementedError");
          });
        }
      });
    }
  });
}
