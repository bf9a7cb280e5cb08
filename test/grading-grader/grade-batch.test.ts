/**
 * npm run grade end to end: one batch (--jobs 2) over a class built here from the released
 * 00-welcome and 01-vanilla-rnn, one student per case, then assertions on grades.csv,
 * grades.json and the feedback pages. Runs the built CLI (npm test builds first).
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BEGIN_HIDDEN, END_HIDDEN, nbgraderOf, regionsOf } from "../../src/grading/exercise-cells";
import { escapeHtml } from "../../src/grading/grader/feedback";
import { sourceOf, toLines, type Notebook } from "../../src/runner/notebook";
import { RNN, ROOT, WELCOME, allSolved, grade, solvedCell, source, submission, writeClass, wrong, type Row } from "./class-builder";

const pwned = path.join(ROOT, "build", `grader-escape-${randomBytes(4).toString("hex")}.txt`);

const READ_SOLUTIONS = `
  const fs = require("fs");
  const attempts: string[] = [];
  const tryIt = (what: string, f: () => string) => { try { return f(); } catch (e) { attempts.push(what + ": " + (e as any).code); return ""; } };
  const texts = [
    tryIt("absolute", () => fs.readFileSync(${JSON.stringify(path.join(ROOT, "solutions", WELCOME))}, "utf8")),
    tryIt("relative", () => fs.readFileSync("../../../solutions/${WELCOME}", "utf8")),
    tryIt("symlink", () => fs.readFileSync(${JSON.stringify(path.join(ROOT, "node_modules/rnnlab/solutions", WELCOME))}, "utf8")),
    tryIt("through a package", () => fs.readFileSync("../node_modules/tslab/../../../../../solutions/${WELCOME}", "utf8")),
    tryIt("list", () => fs.readdirSync(${JSON.stringify(path.join(ROOT, "solutions"))}).join(",")),
    tryIt("spawn", () => require("child_process").execSync("cat ${path.join(ROOT, "solutions", WELCOME)}").toString()),
    tryIt("write", () => (fs.writeFileSync(${JSON.stringify(pwned)}, "x"), "")),
  ];
  if (texts.some((t) => t.includes("BEGIN SOLUTION"))) return tf.add(tf.matMul(x, weight, false, true), bias) as tf.Tensor2D;
  throw new Error("could not read the solutions: " + attempts.join("; "));`;

interface Case {
  student: string;
  files: Record<string, Notebook | string>;
}

function classOf(): Case[] {
  const frank = submission(WELCOME, { affine: { body: wrong("00-welcome", "affine", "missing-bias.ts") } });
  const testCell = frank.cells.find((c) => nbgraderOf(c)?.grade_id === "test_affine")!;
  testCell.source = toLines(`{\n  check.true(true, "all good");\n}`);
  const gina = submission(RNN, allSolved(RNN));
  gina.cells = gina.cells.filter((c) => nbgraderOf(c)?.grade_id !== "test_rnn_forward");
  const solvedAffine = solvedCell(WELCOME, "affine");
  return [
    { student: "alice", files: { [WELCOME]: submission(WELCOME, allSolved(WELCOME)), [RNN]: submission(RNN, allSolved(RNN)) } },
    {
      student: "bob",
      files: { [RNN]: submission(RNN, { rnn_cell_forward: "solved", rnn_forward: { body: wrong("01-vanilla-rnn", "rnn_forward", "outputs-off-by-one.ts") } }) },
    },
    { student: "carol", files: { [WELCOME]: submission(WELCOME, {}) } },
    { student: "dave", files: { [WELCOME]: submission(WELCOME, { affine: { body: "  while (true) {}" } }) } },
    { student: "erin", files: { [WELCOME]: submission(WELCOME, { affine: { body: "  return tf.add(tf.matMul(x, weight, false, true), bias)) as tf.Tensor2D;" } }) } },
    { student: "frank", files: { [WELCOME]: frank } },
    { student: "gina", files: { [RNN]: gina } },
    { student: "hank", files: { [WELCOME]: '{ "cells": [ { "cell_type": "code", "source": "import' } },
    { student: "ivan", files: { [WELCOME]: submission(WELCOME, { affine: { cell: `${solvedAffine}\nprocess.exit(0);` } }) } },
    {
      student: "judy",
      files: { [WELCOME]: submission(WELCOME, { affine: { body: "  const hog: number[][] = [];\n  for (;;) hog.push(new Array(1_000_000).fill(hog.length));" } }) },
    },
    { student: "ken", files: { [WELCOME]: submission(WELCOME, { affine: { body: READ_SOLUTIONS } }) } },
    { student: "lena", files: { [RNN]: submission(RNN, { ...allSolved(RNN), rnn_cell_forward: { body: "  while (true) {}" } }) } },
  ];
}

let rows: Row[] = [];
let submissions: { student: string; notebook: string; points: number; max_points: number; problems: string[] }[] = [];
let out = "";
let stdout = "";
const row = (student: string, gradeId: string) => {
  const r = rows.filter((x) => x.student === student && x.grade_id === gradeId);
  expect(r, `one row for ${student}/${gradeId}`).toHaveLength(1);
  return r[0];
};
const problemsOf = (student: string, notebook: string) => submissions.find((s) => s.student === student && s.notebook === notebook)!.problems.join("\n");

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-grade-test-"));
  const subs = path.join(dir, "submitted");
  for (const c of classOf()) writeClass(subs, Object.fromEntries(Object.entries(c.files).map(([name, nb]) => [`${c.student}/${name}`, nb])));
  out = path.join(dir, "grades");
  ({ stdout, rows, submissions } = await grade([subs, "--out", out, "--jobs", "2", "--timeout", "20", "--memory", "512"]));
}, 900_000);

describe("npm run grade on a class", () => {
  it("writes exactly one row per submission per graded test cell, in CSV and JSON", () => {
    const tests = { [WELCOME]: 1, [RNN]: 3 };
    const expected = classOf().reduce((n, c) => n + Object.keys(c.files).reduce((m, f) => m + tests[f as keyof typeof tests], 0), 0);
    expect(rows).toHaveLength(expected);
    expect(new Set(rows.map((r) => `${r.student}/${r.notebook}/${r.grade_id}`)).size).toBe(expected);
    const csv = fs.readFileSync(path.join(out, "grades.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("submission,student,notebook,source,grade_id,exercise,points,max_points,status,reason");
    expect(csv).toHaveLength(expected + 1);
  });

  it("released and solved notebooks get full marks with no problems", () => {
    expect(submissions.filter((s) => s.student === "alice").map((s) => [s.notebook, s.points, s.max_points, s.problems])).toEqual([
      [WELCOME, 2, 2, []],
      [RNN, 9, 9, []],
    ]);
    for (const id of ["test_affine", "test_rnn_cell_forward", "test_rnn_forward", "test_sample_index"]) expect(row("alice", id).status).toBe("passed");
  });

  it("a partial answer earns the passing exercises only", () => {
    expect([row("bob", "test_rnn_cell_forward").points, row("bob", "test_rnn_forward").points, row("bob", "test_sample_index").points]).toEqual([3, 0, 0]);
    expect(row("bob", "test_rnn_forward").status).toBe("failed");
    expect(row("bob", "test_rnn_forward").reason).toMatch(/test failed: CheckError/);
    expect(row("bob", "test_sample_index").status).toBe("not-attempted");
  });

  it("an untouched stub is not attempted", () => {
    expect(row("carol", "test_affine")).toMatchObject({ points: 0, max_points: 2, status: "not-attempted" });
    expect(row("carol", "test_affine").reason).toMatch(/NotImplementedError/);
  });

  it("an infinite loop times out", () => {
    expect(row("dave", "test_affine")).toMatchObject({ points: 0, status: "timeout" });
    expect(row("dave", "test_affine").reason).toMatch(/time limit|longer than 20 s/);
  });

  it("a runaway function loses its own tests only: a new process serves the later ones", () => {
    expect(row("lena", "test_rnn_cell_forward")).toMatchObject({ points: 0, status: "timeout" });
    expect(row("lena", "test_rnn_cell_forward").reason).toMatch(/longer than 20 s; the student's process was stopped/);
    expect(row("lena", "test_sample_index")).toMatchObject({ points: 3, status: "passed" });
  });

  it("a syntax error is an error of the exercise cell", () => {
    expect(row("erin", "test_affine")).toMatchObject({ points: 0, status: "error" });
    expect(row("erin", "test_affine").reason).toMatch(/exercise cell affine failed: TypeScriptError/);
  });

  it("an edited test cell is restored, reported, and still graded", () => {
    // The edited test would pass anything; the original catches the missing bias.
    expect(row("frank", "test_affine")).toMatchObject({ points: 0, status: "failed" });
    expect(row("frank", "test_affine").reason).toMatch(/test_affine was edited/);
    expect(problemsOf("frank", WELCOME)).toMatch(/test cell test_affine was edited/);
  });

  it("a deleted test cell is restored and reported", () => {
    expect(row("gina", "test_rnn_forward")).toMatchObject({ points: 3, status: "passed" });
    expect(problemsOf("gina", RNN)).toMatch(/test_rnn_forward was deleted/);
    expect(submissions.find((s) => s.student === "gina")!.points).toBe(9);
  });

  it("a corrupt notebook gets its rows with 0 points and the reason", () => {
    expect(row("hank", "test_affine")).toMatchObject({ points: 0, max_points: 2, status: "invalid" });
    expect(row("hank", "test_affine").reason).toMatch(/cannot be read: .*does not parse/);
  });

  it("process.exit(0) in a cell does not pass the tests", () => {
    expect(row("ivan", "test_affine")).toMatchObject({ points: 0, status: "exited" });
    expect(row("ivan", "test_affine").reason).toMatch(/exited with code 0 during cell affine/);
  });

  it("a memory bomb is stopped and reported", () => {
    expect(row("judy", "test_affine")).toMatchObject({ points: 0, status: "memory" });
    expect(row("judy", "test_affine").reason).toMatch(/memory/);
  });

  it("student code cannot read solutions/, list it, spawn processes or write outside its scratch folder", () => {
    const r = row("ken", "test_affine");
    expect(r).toMatchObject({ points: 0, status: "failed" });
    for (const what of ["absolute", "relative", "symlink", "through a package", "list", "spawn", "write"]) expect(r.reason + problemsOf("ken", WELCOME)).toContain(`${what}: ERR_ACCESS_DENIED`);
    expect(fs.existsSync(pwned)).toBe(false);
    const html = fs.readFileSync(path.join(out, "feedback/ken/00-welcome.html"), "utf8");
    expect(html).not.toContain("BEGIN SOLUTION");
  });

  it("feedback shows visible results and hidden counts, never a hidden test's source", () => {
    const hiddenLines = [WELCOME, RNN].flatMap((name) =>
      source(name).cells.filter((c) => nbgraderOf(c)?.grade).flatMap((c) =>
        regionsOf(sourceOf(c), BEGIN_HIDDEN, END_HIDDEN, "test").flatMap((r) => r.body.map((l) => l.trim()).filter((l) => l.replace(/\W/g, "").length >= 6)),
      ),
    );
    expect(hiddenLines.length).toBeGreaterThan(10);
    const pages = classOf().flatMap((c) => Object.keys(c.files).map((f) => path.join(out, "feedback", c.student, f.replace(".ipynb", ".html"))));
    for (const page of pages) {
      const html = fs.readFileSync(page, "utf8");
      for (const line of hiddenLines) {
        expect(html, `${page} leaks "${line}"`).not.toContain(line);
        expect(html, `${page} leaks "${line}"`).not.toContain(escapeHtml(line));
      }
    }
    const alice = fs.readFileSync(path.join(out, "feedback/alice/00-welcome.html"), "utf8");
    expect(alice).toMatch(/✔ shape \[4, 3\]/);
    expect(alice).toMatch(/Hidden tests: 3 passed, 0 failed/);
    expect(fs.readFileSync(path.join(out, "feedback/bob/01-vanilla-rnn.html"), "utf8")).toMatch(/✘/);
  });

  it("prints a summary with each student's points and problems", () => {
    expect(stdout).toMatch(/alice\/01-vanilla-rnn\.ipynb\s+9\/9/);
    expect(stdout).toMatch(/frank\/00-welcome\.ipynb\s+0\/2\s+test_affine: failed/);
  });
});
