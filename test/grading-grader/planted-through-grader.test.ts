/**
 * The planted wrong answers whose tests look past returned values (tensors left behind, a
 * caller's tensor disposed, gradients, tf.profile's kernel count), graded by the built CLI:
 * the student's function runs in another process, so these checks hold only because the test
 * process mirrors what the student's process did. The solutions must keep full marks.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { allSolved, grade, submission, wrong, writeClass, type Row } from "./class-builder";

const CASES = [
  { nb: "05-seq2seq", id: "greedy_decode", file: "leaks-tensors.ts", test: "test_greedy_decode", check: /no tensors left behind/ },
  { nb: "05-seq2seq", id: "greedy_decode", file: "disposes-callers-s0.ts", test: "test_greedy_decode", check: /no tensors left behind \(-1 new\)|s0 is the caller.s: not disposed/ },
  { nb: "06-attention", id: "masked_softmax", file: "max-includes-padding.ts", test: "test_masked_softmax", check: /./ },
  { nb: "07-beyond", id: "linear_scan", file: "sequential-tf-loop.ts", test: "test_linear_scan", check: /tensor operations for T = 1024/ },
];

let rows: Row[] = [];
beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-planted-"));
  const files: Record<string, ReturnType<typeof submission>> = {};
  for (const nb of new Set(CASES.map((c) => c.nb))) files[`solved/${nb}.ipynb`] = submission(`${nb}.ipynb`, allSolved(`${nb}.ipynb`));
  for (const c of CASES) {
    const answers = { ...allSolved(`${c.nb}.ipynb`), [c.id]: { body: wrong(c.nb, c.id, c.file) } };
    files[`${c.file.replace(/\.ts$/, "")}/${c.nb}.ipynb`] = submission(`${c.nb}.ipynb`, answers);
  }
  writeClass(path.join(dir, "class"), files);
  ({ rows } = await grade([path.join(dir, "class"), "--out", path.join(dir, "out"), "--jobs", "2", "--timeout", "60"]));
}, 900_000);

describe("checks beyond returned values, through the grader", () => {
  it("the solutions keep full marks", () => {
    const solved = rows.filter((r) => r.student === "solved");
    expect(solved.length).toBeGreaterThan(0);
    for (const r of solved) expect(r, `${r.notebook} ${r.grade_id}`).toMatchObject({ status: "passed" });
  });

  for (const c of CASES) {
    it(`${c.nb} ${c.id}: ${c.file} fails ${c.test}`, () => {
      const r = rows.find((x) => x.student === c.file.replace(/\.ts$/, "") && x.grade_id === c.test)!;
      expect(r).toMatchObject({ points: 0, status: "failed" });
      expect(r.reason).toMatch(c.check);
    });
  }
});
