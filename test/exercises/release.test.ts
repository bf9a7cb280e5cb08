import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { BEGIN_HIDDEN, END_HIDDEN, BEGIN_SOLUTION, END_SOLUTION, cellChecksum, nbgraderOf, regionsOf } from "../../src/grading/exercise-cells";
import { releaseNotebook } from "../../src/grading/student-release";
import { readNotebook, sourceOf, type Cell, type Notebook } from "../../src/runner/notebook";
import { ROOT, SOLUTIONS, notebookNames } from "./exercise-plan";

const nbgrader = (grade_id: string, extra: Record<string, unknown>) => ({ nbgrader: { grade_id, solution: false, grade: false, locked: false, schema_version: 3, ...extra } });
const code = (source: string, metadata: Record<string, unknown> = {}, tags?: string[]): Cell => ({
  cell_type: "code", source, metadata: { ...metadata, ...(tags ? { tags } : {}) }, outputs: [{ output_type: "stream", name: "stdout", text: "old output\n" }], execution_count: 7,
});
const sample = (): Notebook => ({
  nbformat: 4, nbformat_minor: 5, metadata: {},
  cells: [
    code('import { tf, check } from "rnnlab";', nbgrader("setup", { locked: true })),
    code(["function double(x: number): number {", "  // BEGIN SOLUTION", "  // HINT: multiply by two", "  return 2 * x;", "  // END SOLUTION", "}"].join("\n"), nbgrader("double", { solution: true })),
    code(["{", "  check.equal(double(2), 4);", "  // BEGIN HIDDEN TESTS", "  check.equal(double(-3), -6);", "  // END HIDDEN TESTS", "}"].join("\n"), nbgrader("test_double", { grade: true, points: 2, locked: true })),
    code("const slow = 1;", {}, ["skip-grading"]),
  ],
});

describe("releaseNotebook", () => {
  const released = releaseNotebook(sample(), "sample.ipynb");
  const [setup, exercise, test, free] = released.cells;

  it("replaces the solution by its hints and a NotImplementedError naming the exercise", () => {
    expect(sourceOf(exercise)).toBe(["function double(x: number): number {", "  // HINT: multiply by two", '  throw new NotImplementedError("double");', "}"].join("\n"));
  });

  it("removes hidden tests and keeps the visible ones", () => {
    expect(sourceOf(test)).toBe(["{", "  check.equal(double(2), 4);", "}"].join("\n"));
  });

  it("clears every output and execution count", () => {
    for (const c of released.cells) expect([c.outputs, c.execution_count]).toEqual([[], null]);
  });

  it("locks setup and test cells against editing and deletion, exercise cells against deletion, as nbgrader's LockCells does", () => {
    for (const c of [setup, test]) expect(c.metadata).toMatchObject({ editable: false, deletable: false, nbgrader: { locked: true } });
    expect(exercise.metadata.editable).toBeUndefined();
    expect(exercise.metadata.deletable).toBe(false);
    expect(free.metadata.tags).toEqual(["skip-grading"]);
  });

  it("stores nbgrader's checksum of the released cell and its cell type in every exercise, test and locked cell, as nbgrader's ComputeChecksums does", () => {
    for (const c of [setup, exercise, test]) {
      expect(nbgraderOf(c)!.checksum).toMatch(/^[0-9a-f]{32}$/);
      expect(nbgraderOf(c)!.checksum).toBe(cellChecksum(c));
      expect(nbgraderOf(c)!.cell_type).toBe("code");
    }
    expect(free.metadata.nbgrader).toBeUndefined();
  });

  it("is deterministic", () => {
    expect(JSON.stringify(releaseNotebook(sample(), "sample.ipynb"))).toBe(JSON.stringify(released));
  });

  it("lists every authoring problem, naming the notebook, cell and grade_id", () => {
    const nb = sample();
    nb.cells.push(code("// BEGIN SOLUTION\nlet a = 1;", nbgrader("double", { solution: true })));
    nb.cells.push(code("check.true(true);", nbgrader("test_free", { grade: true })));
    nb.cells.push(code("f();", nbgrader("test_skipped", { grade: true, points: 1 }), ["skip-grading"]));
    let message = "";
    try {
      releaseNotebook(nb, "bad.ipynb");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("bad.ipynb, cell 5 (double): expected a unique grade_id, got one already used by cell 2.");
    expect(message).toMatch(/bad\.ipynb, cell 5: double: line 1: expected \/\/ END SOLUTION to close \/\/ BEGIN SOLUTION/);
    expect(message).toContain("bad.ipynb, cell 6 (test_free): expected a test cell with points > 0, got undefined.");
    expect(message).toContain("bad.ipynb, cell 7 (test_skipped): a test cell is needed to grade, so it cannot be tagged skip-grading.");
  });

  it("rejects an exercise cell without a solution region", () => {
    const nb = sample();
    nb.cells[1].source = "function double(x: number) { return 2 * x; }";
    expect(() => releaseNotebook(nb, "s.ipynb")).toThrow(/double: expected a \/\/ BEGIN SOLUTION … \/\/ END SOLUTION region in the exercise cell, got none/);
  });
});

describe("the released course in notebooks/", () => {
  for (const name of notebookNames()) {
    it(`${name}: no solution or hidden-test line reaches the student version`, () => {
      const source = readNotebook(path.join(SOLUTIONS, `${name}.ipynb`));
      const student = fs.readFileSync(path.join(ROOT, "notebooks", `${name}.ipynb`), "utf8");
      const secret = source.cells.flatMap((c) => {
        const s = sourceOf(c);
        return [...regionsOf(s, BEGIN_SOLUTION, END_SOLUTION, name), ...regionsOf(s, BEGIN_HIDDEN, END_HIDDEN, name)].flatMap((r) => r.body);
      });
      // A secret line that the teacher also wrote outside the regions (a common idiom such as
      // `return tf.tidy(() => {`) proves nothing; every other one must stay out.
      const publicLines = new Set<string>();
      for (const c of source.cells) {
        let inside = false;
        for (const l of sourceOf(c).split("\n").map((x) => x.trim())) {
          if (l === BEGIN_SOLUTION || l === BEGIN_HIDDEN) inside = true;
          else if (l === END_SOLUTION || l === END_HIDDEN) inside = false;
          else if (!inside) publicLines.add(l);
        }
      }
      const telling = secret.map((l) => l.trim()).filter((l) => l.length > 8 && !l.startsWith("// HINT:") && !publicLines.has(l));
      const studentLines = new Set(JSON.parse(student).cells.flatMap((c: Cell) => sourceOf(c).split("\n").map((l) => l.trim())));
      expect(telling.filter((l) => studentLines.has(l))).toEqual([]);
      expect(student).not.toContain("BEGIN SOLUTION");
      expect(student).not.toContain("BEGIN HIDDEN TESTS");
    });
  }
});

describe("npm run release -- --check", () => {
  const run = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, "dist/grading/student-release.js"), ...args], { encoding: "utf8", cwd: ROOT });

  it("passes on a fresh release and fails, naming the file, when a student notebook is stale or missing", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-release-"));
    expect(run(["--out", out]).status).toBe(0);
    const ok = run(["--check", "--out", out]);
    expect(ok.status, ok.stderr).toBe(0);
    const [first, second] = fs.readdirSync(out).sort();
    fs.appendFileSync(path.join(out, first), " ");
    fs.rmSync(path.join(out, second));
    fs.writeFileSync(path.join(out, "my-own-notebook.ipynb"), "{}");
    const stale = run(["--check", "--out", out]);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain(`stale:   ${path.relative(ROOT, path.join(out, first))}`);
    expect(stale.stderr).toContain(`missing: ${path.relative(ROOT, path.join(out, second))}`);
    expect(stale.stderr).not.toContain("my-own-notebook");
  });

  it("rejects an unknown argument with the usage", () => {
    const r = run(["--frobnicate"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("npm run release: unknown argument --frobnicate. Usage: npm run release -- [--check] [--source DIR] [--out DIR]");
  });
});
