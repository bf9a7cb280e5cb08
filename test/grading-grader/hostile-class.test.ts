/**
 * The grader against students who cheat: one batch, one honest student and one hostile student
 * per attack class, graded with the built CLI. Every attack sits in the exercise cell, the only
 * cell a student can change that the grader runs, on top of a wrong answer (the missing bias),
 * so any point it earns is undeserved. The honest student must keep full marks, every output
 * file must be written, and the batch must end.
 *
 * Classes: fake checks (a local `check`, assigned methods, replaced tslab exports); patched
 * built-ins and library prototypes (on 01, whose tests compare tensors with tensors); forged
 * reports and a wrapped report channel, malformed and chatty reports on the grader's
 * channel; a patched vm; capturing the test source to print it; muting the hidden-tests
 * marker; links to the teacher's notebooks; colliding names; renamed copies; a submission that
 * never ends.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BEGIN_HIDDEN, END_HIDDEN, nbgraderOf, regionsOf } from "../../src/grading/exercise-cells";
import { escapeHtml, feedbackPath } from "../../src/grading/grader/feedback";
import { serializeNotebook, sourceOf } from "../../src/runner/notebook";
import { RNN, ROOT, WELCOME, allSolved, grade, solvedCell, source, submission, writeClass, type Row, type SubmissionSummary } from "./class-builder";

const WRONG = `function affine(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  return tf.matMul(x, weight, false, true) as tf.Tensor2D; // the bias is missing
}`;
const SOLVED = solvedCell(WELCOME, "affine");
const welcome = (cell: string) => submission(WELCOME, { affine: { cell } });

/** What each hostile student adds to the wrong answer. */
const ATTACKS: Record<string, string> = {
  "fake-check": `${WRONG}
const check = { shape(..._: any[]) {}, close(..._: any[]) {}, equal(..._: any[]) {}, true(..._: any[]) {} };`,
  "assigned-check": `${WRONG}
for (const k of Object.keys(check)) (check as any)[k] = () => undefined;`,
  "tslab-exports": `${WRONG}
const ex = (globalThis as any).__tslab__.exports;
ex.check = { shape() {}, close() {}, equal() {}, true() {} };`,
  builtins: `${WRONG}
Math.abs = () => 0; Math.max = () => 0; Object.is = () => true;
Array.prototype.every = function () { return true; };
Array.prototype.some = function () { return false; };
Number.isFinite = () => true;`,
  "forged-reports": `${WRONG}
// The one-process grader's channel: drop the error from this process's own cell-end reports.
const ipcSend = (process as any)._send;
if (ipcSend) (process as any)._send = function (this: any, m: any, ...rest: any[]) { if (m && m.type === "cell-end") delete m.error; return ipcSend.call(this, m, ...rest); };
const fs = require("fs");
for (let i = 0; i < 10; i++) {
  const forged = JSON.stringify({ type: "cell-end", nonce: "0".repeat(32), index: i, ms: 1, timedOut: false, stdout: "" });
  try { fs.writeSync(3, forged + "\\n"); } catch {}
  try { (process as any).send?.({ type: "cell-end", index: i, ms: 1, timedOut: false, stdout: "" }); } catch {}
}
`,
  "garbage-report": `${SOLVED}
require("fs").writeSync(3, "this is not a report\\n");`,
  "chatty-reports": `${WRONG}
for (let i = 0; i < 100; i++) {
  try { require("fs").writeSync(3, JSON.stringify({ type: "cell-start", index: 0 }) + "\\n"); } catch {}
  await new Promise((r) => setTimeout(r, 20));
}`,
  "vm-patch": `${WRONG}
const vm = require("vm");
const skip = (code: string) => (/check\\./.test(String(code)) ? "undefined" : code);
const run = vm.runInThisContext;
vm.runInThisContext = (code: string, o: any) => run(skip(code), o);
const runScript = vm.Script.prototype.runInThisContext;
vm.Script.prototype.runInThisContext = function (this: any, o: any) { return /check\\./.test(String(this.__src ?? "")) ? undefined : runScript.call(this, o); };`,
  "capture-source": `const seen: string[] = [];
{
  const vm = require("vm");
  const run = vm.runInThisContext;
  vm.runInThisContext = (code: string, o: any) => (seen.push(String(code)), run(code, o));
  const ts = require("@tslab/typescript-for-tslab");
  for (const k of ["transpileModule", "createSourceFile"]) { const f = ts[k]; ts[k] = (...a: any[]) => (seen.push(String(a[0]?.text ?? a[1] ?? a[0])), f(...a)); }
}
function affine(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  throw new Error("captured: " + seen.join("\\n").slice(-15000));
}`,
  "mute-marker": `${SOLVED}
{
  const write = process.stdout.write.bind(process.stdout);
  (process.stdout as any).write = (s: any, ...a: any[]) => (String(s).includes("hidden tests begin") ? true : write(s, ...a));
  const log = console.log;
  console.log = (...a: any[]) => { if (!String(a[0]).includes("hidden tests begin")) log(...a); };
}`,
  // Every cell stays under its 20 s limit; together they pass the 35 s total.
  "never-ends": `let calls = 0;
${SOLVED.replace("return", "if (calls++ < 2) { const until = Date.now() + 9000; while (Date.now() < until) {} }\n  return")}
await new Promise((r) => setTimeout(r, 18000));`,
};

/** On 01, whose tests compare the student's tensors with the library's: every tensor reads as zeros. */
const PROTOTYPES_01 = `function rnnCellForward(x: tf.Tensor2D, hPrev: tf.Tensor2D, w: CellWeights): tf.Tensor2D {
  return tf.add(tf.matMul(x, w.weightIh, false, true), w.biasIh!) as tf.Tensor2D; // only the input term, no tanh
}
const zeros = (s: number[]): any => (s.length ? Array.from({ length: s[0] }, () => zeros(s.slice(1))) : 0);
(tf.Tensor.prototype as any).arraySync = function (this: tf.Tensor) { return zeros(this.shape); };
(tf.Tensor.prototype as any).dataSync = function (this: tf.Tensor) { return new Float32Array(this.size); };`;

let out = "";
const scratch = path.join(ROOT, "build", `test-scratch-${process.pid}`);
let rows: Row[] = [];
let submissions: SubmissionSummary[] = [];
let seconds = 0;
const rowsOf = (id: string) => rows.filter((r) => r.submission === id);
const pageOf = (id: string) => fs.readFileSync(feedbackPath(out, id), "utf8");

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-hostile-"));
  const klass = path.join(dir, "class");
  const files: Record<string, string | ReturnType<typeof welcome>> = {
    [`honest/${WELCOME}`]: submission(WELCOME, allSolved(WELCOME)),
    // Same folder name in two sections, and two names that a sanitiser would make one.
    [`sectionA/alice/${WELCOME}`]: submission(WELCOME, allSolved(WELCOME)),
    [`sectionB/alice/${WELCOME}`]: submission(WELCOME, {}),
    [`a b/${WELCOME}`]: submission(WELCOME, allSolved(WELCOME)),
    [`a+b/${WELCOME}`]: submission(WELCOME, {}),
    // A second download of the released notebook, renamed by the browser.
    [`renamed/00-welcome (1).ipynb`]: submission(WELCOME, {}),
  };
  for (const [name, cell] of Object.entries(ATTACKS)) files[`${name}/${WELCOME}`] = welcome(cell);
  files[`prototypes/${RNN}`] = submission(RNN, { rnn_cell_forward: { cell: PROTOTYPES_01 } });
  writeClass(klass, files);
  // Links to the teacher's own notebook: a symbolic link, a linked folder, a hard link.
  fs.mkdirSync(path.join(klass, "symlink"));
  fs.symlinkSync(path.join(ROOT, "solutions", WELCOME), path.join(klass, "symlink", WELCOME));
  fs.symlinkSync(path.join(ROOT, "solutions"), path.join(klass, "linked-folder"));
  const teacherCopy = path.join(dir, "teacher-copy.ipynb");
  fs.writeFileSync(teacherCopy, serializeNotebook(source(WELCOME)));
  fs.mkdirSync(path.join(klass, "hardlink"));
  fs.linkSync(teacherCopy, path.join(klass, "hardlink", WELCOME));
  out = path.join(dir, "grades");
  const t0 = performance.now();
  fs.mkdirSync(scratch, { recursive: true });
  const env = { ...process.env, RNNLAB_GRADER_SCRATCH: scratch };
  ({ rows, submissions } = await grade([klass, "--out", out, "--jobs", "2", "--timeout", "20", "--total-timeout", "35", "--memory", "512"], env));
  seconds = (performance.now() - t0) / 1000;
}, 900_000);

describe("a class with a hostile student per attack", () => {
  it("gives the honest student full marks, and writes every output", () => {
    expect(rowsOf(`honest/${WELCOME}`).map((r) => [r.points, r.max_points, r.status])).toEqual([[2, 2, "passed"]]);
    for (const f of ["grades.csv", "grades.json"]) expect(fs.existsSync(path.join(out, f))).toBe(true);
    for (const s of submissions) expect(fs.existsSync(feedbackPath(out, s.submission)), s.submission).toBe(true);
    expect(seconds).toBeGreaterThan(0);
  });

  for (const name of Object.keys(ATTACKS).filter((n) => !["garbage-report", "mute-marker", "never-ends"].includes(n))) {
    it(`${name}: no point for a wrong answer`, () => {
      const r = rowsOf(`${name}/${WELCOME}`);
      expect(r.map((x) => [x.points, x.max_points]), JSON.stringify(r)).toEqual([[0, 2]]);
      expect(r[0].status).not.toBe("passed");
    });
  }

  it("prototypes: patched tensor prototypes earn nothing where tests compare tensors", () => {
    expect(rowsOf(`prototypes/${RNN}`).map((r) => [r.grade_id, r.points])).toEqual([
      ["test_rnn_cell_forward", 0], ["test_rnn_forward", 0], ["test_sample_index", 0],
    ]);
  });

  it("a student who breaks the grader's report channel fails alone, with the reason", () => {
    for (const name of ["garbage-report", "chatty-reports"]) {
      const [r] = rowsOf(`${name}/${WELCOME}`);
      expect(r.points, name).toBe(0);
      expect(submissions.find((s) => s.submission === `${name}/${WELCOME}`)!.problems.join(" "), name).toMatch(/broke the grader's protocol/);
    }
  });

  it("forged reports without the job's key are refused", () => {
    const problems = submissions.find((s) => s.submission === `forged-reports/${WELCOME}`)!.problems.join(" ");
    expect(problems).toMatch(/without the job's key|broke the grader's protocol/);
  });

  it("a submission that keeps the grader busy is stopped at its total time limit", () => {
    const [r] = rowsOf(`never-ends/${WELCOME}`);
    expect(r).toMatchObject({ points: 0, status: "timeout" });
    expect(submissions.find((s) => s.submission === `never-ends/${WELCOME}`)!.problems.join(" ")).toMatch(/longer than 35 s in total/);
  });

  it("feedback never shows a hidden test's source or its printed lines, whatever the student patches", () => {
    const hidden = regionsOf(sourceOf(source(WELCOME).cells.find((c) => nbgraderOf(c)?.grade_id === "test_affine")!), BEGIN_HIDDEN, END_HIDDEN, "test_affine")
      .flatMap((r) => r.body.map((l) => l.trim()).filter((l) => l.replace(/\W/g, "").length >= 6));
    expect(hidden.length).toBeGreaterThan(3);
    for (const s of submissions) {
      const html = pageOf(s.submission);
      for (const line of hidden) expect(html, `${s.submission} leaks "${line}"`).not.toContain(escapeHtml(line));
    }
    // The muted marker changes nothing: the page is the honest student's, but for the name.
    const strip = (html: string) => html.replace(/<title>.*<\/title>|<p>Student:.*<\/p>/g, "");
    expect(strip(pageOf(`mute-marker/${WELCOME}`))).toBe(strip(pageOf(`honest/${WELCOME}`)));
    expect(rowsOf(`mute-marker/${WELCOME}`)[0].points).toBe(2);
  });

  it("refuses links to the teacher's notebooks, with the points they would have missed", () => {
    for (const id of [`symlink/${WELCOME}`, `hardlink/${WELCOME}`]) {
      expect(rowsOf(id).map((r) => [r.points, r.max_points, r.status]), id).toEqual([[0, 2, "refused"]]);
      expect(rowsOf(id)[0].reason).toMatch(/symbolic link|hard link/);
    }
    expect(rowsOf("linked-folder")[0]).toMatchObject({ points: 0, status: "refused" });
    expect(rows.filter((r) => r.submission.startsWith("linked-folder/"))).toEqual([]);
  });

  it("keeps students with the same or equally-sanitised names apart, in rows and feedback pages", () => {
    const scores = Object.fromEntries(["sectionA/alice", "sectionB/alice", "a b", "a+b"].map((p) => [p, rowsOf(`${p}/${WELCOME}`).map((r) => r.points)]));
    expect(scores).toEqual({ "sectionA/alice": [2], "sectionB/alice": [0], "a b": [2], "a+b": [0] });
    expect(pageOf(`sectionA/alice/${WELCOME}`)).toMatch(/2 \/ 2 points/);
    expect(pageOf(`sectionB/alice/${WELCOME}`)).toMatch(/0 \/ 2 points/);
    expect(pageOf(`a b/${WELCOME}`)).toMatch(/2 \/ 2 points/);
    expect(pageOf(`a+b/${WELCOME}`)).toMatch(/0 \/ 2 points/);
  });

  it("grades a renamed copy against its notebook, so its missing points count", () => {
    expect(rowsOf("renamed/00-welcome (1).ipynb").map((r) => [r.source, r.points, r.max_points, r.status])).toEqual([[WELCOME, 0, 2, "not-attempted"]]);
  });

  it("leaves no scratch folder behind", () => {
    expect(fs.readdirSync(scratch)).toEqual([]);
    fs.rmdirSync(scratch);
  });
});
