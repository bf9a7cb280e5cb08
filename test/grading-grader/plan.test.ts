/** What the grader plans to run for a submission, without running it. */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { nbgraderOf, solvedSource, stubSource } from "../../src/grading/exercise-cells";
import { parseGradeArgs } from "../../src/grading/grader/args";
import { HIDDEN_MARKER, planGrading } from "../../src/grading/grader/plan";
import { csvField, toCsv } from "../../src/grading/grader/report";
import { splitAtHidden } from "../../src/grading/grader/score";
import { studentOf } from "../../src/grading/grader/submissions";
import { releaseNotebook } from "../../src/grading/student-release";
import { readNotebook, sourceOf, toLines, type Cell, type Notebook } from "../../src/runner/notebook";

const ROOT = path.resolve(__dirname, "../..");
const NAME = "01-vanilla-rnn.ipynb";
const source = () => readNotebook(path.join(ROOT, "solutions", NAME));
const released = () => releaseNotebook(source(), NAME);
const byId = (nb: Notebook, id: string) => nb.cells.find((c) => nbgraderOf(c)?.grade_id === id) as Cell;

describe("planGrading", () => {
  it("runs locked, exercise and test cells in source order, and nothing tagged skip-grading or untagged", () => {
    const plan = planGrading(source(), released());
    expect(plan.cells.map((c) => `${c.role}:${c.gradeId}`)).toEqual([
      "locked:setup_imports", "locked:helpers",
      "exercise:rnn_cell_forward", "test:test_rnn_cell_forward",
      "exercise:rnn_forward", "test:test_rnn_forward",
      "exercise:sample_index", "test:test_sample_index",
    ]);
    expect(plan.problems).toEqual([]);
    expect(plan.tests.map((t) => [t.gradeId, t.exercise, t.points])).toEqual([
      ["test_rnn_cell_forward", "rnn_cell_forward", 3], ["test_rnn_forward", "rnn_forward", 3], ["test_sample_index", "sample_index", 3],
    ]);
  });

  it("takes exercise cells from the submission and puts the hidden tests back, behind a marker", () => {
    const sub = released();
    const plan = planGrading(source(), sub);
    const ex = plan.cells.find((c) => c.gradeId === "rnn_forward")!;
    // the student's process runs the student's cell; the test process runs a stand-in with the source's signature
    expect(ex).toMatchObject({ origin: "submission", studentSource: sourceOf(byId(sub, "rnn_forward")), graded: ["rnnForward"] });
    expect(ex.source).toMatch(/^function rnnForward\(xs: tf\.Tensor3D, h0: tf\.Tensor2D, w: CellWeights\): \{ outputs: tf\.Tensor3D; h: tf\.Tensor2D \} \{/);
    expect(ex.source).not.toContain("NotImplementedError");
    expect(ex.source).not.toContain("tf.unstack"); // nothing of the solution's body
    const test = plan.cells.find((c) => c.gradeId === "test_rnn_forward")!;
    expect(test.source).toContain(HIDDEN_MARKER);
    expect(test.source).toContain("const long = new RNN({ inputSize: 2, hiddenSize: 5 });");
    expect(test.source).not.toContain("BEGIN HIDDEN TESTS");
  });

  it("finds no tampering in the teacher's own solutions notebook, whose test cells carry the hidden tests", () => {
    expect(planGrading(source(), source()).problems).toEqual([]);
  });

  it("restores an edited locked cell and an edited test cell, and reports both", () => {
    const sub = released();
    byId(sub, "helpers").source = toLines("function weightsOf() { return null; }");
    byId(sub, "test_sample_index").source = toLines("{}");
    const plan = planGrading(source(), sub);
    expect(plan.cells.find((c) => c.gradeId === "helpers")!.source).toBe(sourceOf(byId(source(), "helpers")));
    expect(plan.problems.map((p) => [p.kind, p.gradeId])).toEqual([["tampered", "helpers"], ["tampered", "test_sample_index"]]);
  });

  it("reports a changed stored checksum, a deleted cell, a duplicate and an unknown grade_id without failing", () => {
    const sub = released();
    nbgraderOf(byId(sub, "setup_imports"))!.checksum = "0".repeat(64);
    sub.cells = sub.cells.filter((c) => nbgraderOf(c)?.grade_id !== "test_rnn_forward" && nbgraderOf(c)?.grade_id !== "sample_index");
    const copy: Cell = JSON.parse(JSON.stringify(byId(sub, "rnn_cell_forward")));
    copy.source = toLines(solvedSource(sourceOf(byId(source(), "rnn_cell_forward")), "rnn_cell_forward"));
    const extra: Cell = { cell_type: "code", source: "1", metadata: { nbgrader: { grade_id: "my_own", solution: false, grade: false, locked: false, schema_version: 3 } } };
    sub.cells.push(copy, extra);
    const plan = planGrading(source(), sub);
    expect(plan.problems.map((p) => [p.kind, p.gradeId])).toEqual([
      ["duplicate", "rnn_cell_forward"], ["unknown", "my_own"], ["checksum", "setup_imports"],
      ["missing", "test_rnn_forward"], ["missing", "sample_index"],
    ]);
    // the first copy counts; a missing exercise runs as the stub; a deleted test runs from the source
    expect(plan.cells.find((c) => c.gradeId === "rnn_cell_forward")!.studentSource).toBe(sourceOf(byId(released(), "rnn_cell_forward")));
    expect(plan.cells.find((c) => c.gradeId === "sample_index")).toMatchObject({ origin: "stub", studentSource: stubSource(sourceOf(byId(source(), "sample_index")), "sample_index") });
    expect(plan.cells.some((c) => c.gradeId === "test_rnn_forward")).toBe(true);
    expect(plan.cells.some((c) => c.gradeId === "my_own")).toBe(false);
  });
});

describe("grader helpers", () => {
  it("splits a test's printed text at the hidden marker", () => {
    expect(splitAtHidden(`✔ a\n${HIDDEN_MARKER}\n✔ b\n✘ c\n`)).toEqual({ visible: "✔ a\n", hidden: "\n✔ b\n✘ c\n", reachedHidden: true });
    expect(splitAtHidden("✔ a\n")).toEqual({ visible: "✔ a\n", hidden: "", reachedHidden: false });
  });

  it("names the student from nbgrader's layout or else the parent folder", () => {
    expect(studentOf("/x/submitted/ada/ps1/01-vanilla-rnn.ipynb")).toBe("ada");
    expect(studentOf("/x/class/grace/01-vanilla-rnn.ipynb")).toBe("grace");
    expect(studentOf("/x/submitted/ada/01-vanilla-rnn.ipynb")).toBe("ada");
  });

  it("quotes CSV fields that need it", () => {
    expect(csvField('a "b", c')).toBe('"a ""b"", c"');
    expect(csvField(3)).toBe("3");
    const row = { submission: "s/a b.ipynb", student: "a", notebook: "n", source: "n", grade_id: "t", exercise: "e", points: 1, max_points: 2, status: "failed", reason: "x\ny" };
    expect(toCsv([row]).split("\n")[1]).toBe('s/a b.ipynb,a,n,n,t,e,1,2,failed,"x');
  });

  it("rejects bad arguments with the argument, what was expected and what came", () => {
    expect(() => parseGradeArgs([])).toThrow(/expected at least one submission/);
    expect(() => parseGradeArgs(["x", "--jobs", "0"])).toThrow(/--jobs: expected a whole number.*got "0"/);
    expect(() => parseGradeArgs(["x", "--timeout"])).toThrow(/--timeout: expected a value after it, got nothing/);
    expect(() => parseGradeArgs(["x", "--fast"])).toThrow(/unknown option --fast/);
    expect(parseGradeArgs(["x", "--jobs", "3", "--timeout", "5"], "/tmp")).toMatchObject({ inputs: ["/tmp/x"], jobs: 3, timeoutS: 5 });
  });
});
