/**
 * Exercises that declare a class or take a callback: the test builds the student's object with
 * `new`, calls its methods and passes it back to the student's functions; only data crosses.
 * A source notebook made here (not part of the course) is graded with the built CLI.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { serializeNotebook, toLines, type Cell, type Notebook } from "../../src/runner/notebook";
import { grade, type Row } from "./class-builder";

const meta = (grade_id: string, role: "locked" | "solution" | "test"): Cell["metadata"] => ({
  nbgrader: { grade_id, solution: role === "solution", grade: role === "test", locked: role !== "solution", schema_version: 3, ...(role === "test" ? { points: 2 } : {}) },
});
const code = (source: string, metadata: Cell["metadata"]): Cell => ({ cell_type: "code", source: toLines(source), metadata, outputs: [], execution_count: null });

const EXERCISE = (scale: string, twice: string) => `class Scaler {
  constructor(readonly k: number) {}
  apply(x: tf.Tensor): tf.Tensor {
    // BEGIN SOLUTION
    return ${scale};
    // END SOLUTION
  }
}
function applyTwice(s: Scaler, x: tf.Tensor, then: (y: tf.Tensor) => tf.Tensor): tf.Tensor {
  // BEGIN SOLUTION
  return ${twice};
  // END SOLUTION
}`;

const TESTS = `{
  const s = new Scaler(3);
  check.equal(s.k, 3, "the constructor keeps k");
  check.close(s.apply(tf.tensor1d([1, 2])), [3, 6], { label: "apply multiplies by k" });
  check.close(applyTwice(s, tf.tensor1d([1, -1]), (y) => tf.add(y, 1)), [10, -8], { label: "s.apply twice, then the callback" });
  // BEGIN HIDDEN TESTS
  check.close(new Scaler(-0.5).apply(tf.tensor2d([[4]])), [[-2]], { label: "negative scale" });
  // END HIDDEN TESTS
}`;

function notebook(exercise: string): Notebook {
  return {
    nbformat: 4, nbformat_minor: 5, metadata: {},
    cells: [
      code(`import { tf, check, ready } from "rnnlab";\nawait ready();`, meta("setup_imports", "locked")),
      code(exercise, meta("scaler", "solution")),
      code(TESTS, meta("test_scaler", "test")),
    ],
  };
}

let rows: Row[] = [];
beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-classes-"));
  const good = EXERCISE("tf.mul(x, this.k)", "then(s.apply(s.apply(x)))");
  fs.mkdirSync(path.join(dir, "source"));
  fs.writeFileSync(path.join(dir, "source", "scaler.ipynb"), serializeNotebook(notebook(good)));
  const submissions: Record<string, string> = {
    solved: good,
    "wrong-method": EXERCISE("tf.add(x, this.k)", "then(s.apply(s.apply(x)))"),
    "wrong-order": EXERCISE("tf.mul(x, this.k)", "s.apply(s.apply(then(x)))"),
  };
  for (const [student, ex] of Object.entries(submissions)) {
    fs.mkdirSync(path.join(dir, "class", student), { recursive: true });
    fs.writeFileSync(path.join(dir, "class", student, "scaler.ipynb"), serializeNotebook(notebook(ex)));
  }
  ({ rows } = await grade([path.join(dir, "class"), "--source", path.join(dir, "source"), "--out", path.join(dir, "out"), "--jobs", "2", "--timeout", "30"]));
}, 300_000);

describe("a class and a callback across the two processes", () => {
  it("grades the right answer with full marks", () => {
    expect(rows.find((r) => r.student === "solved")).toMatchObject({ points: 2, status: "passed" });
  });
  it("catches a wrong method and a wrong use of the callback", () => {
    expect(rows.find((r) => r.student === "wrong-method")).toMatchObject({ points: 0, status: "failed" });
    expect(rows.find((r) => r.student === "wrong-order")).toMatchObject({ points: 0, status: "failed" });
    expect(rows.find((r) => r.student === "wrong-order")!.reason).toMatch(/callback/);
  });
});
