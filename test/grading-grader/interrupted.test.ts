/**
 * A grader stopped in the middle of a batch (Ctrl-C, or a scheduler's SIGTERM) keeps what it
 * has graded: grades.csv, grades.json and feedback hold every submission, the ones not graded
 * marked so with the points they would have been worth, and no scratch folder is left.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { feedbackPath } from "../../src/grading/grader/feedback";
import { CLI, ROOT, WELCOME, allSolved, submission, writeClass, type Row } from "./class-builder";

describe("npm run grade, interrupted", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`writes every submission's rows and removes its scratch folders on ${signal}`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-interrupt-"));
      const students = ["s1", "s2", "s3", "s4"];
      writeClass(path.join(dir, "class"), Object.fromEntries(students.map((s) => [`${s}/${WELCOME}`, submission(WELCOME, allSolved(WELCOME))])));
      const scratch = path.join(ROOT, "build", `test-scratch-${process.pid}-${signal}`);
      fs.mkdirSync(scratch, { recursive: true });
      const out = path.join(dir, "grades");
      const child = spawn(process.execPath, [CLI, path.join(dir, "class"), "--out", out, "--jobs", "1"], {
        cwd: ROOT, env: { ...process.env, RNNLAB_GRADER_SCRATCH: scratch }, stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      const code = await new Promise<number | null>((resolve) => {
        child.stdout.on("data", (d: Buffer) => {
          stdout += d.toString();
          // The first submission is graded and the second is running: stop the batch.
          if (/\[1\] s1/.test(stdout) && !child.killed) setTimeout(() => child.kill(signal), 1500);
        });
        child.on("exit", (c) => resolve(c));
      });
      expect(code).toBe(130);
      const { rows } = JSON.parse(fs.readFileSync(path.join(out, "grades.json"), "utf8")) as { rows: Row[] };
      expect(rows.map((r) => r.submission)).toEqual(students.map((s) => `${s}/${WELCOME}`));
      expect(rows[0]).toMatchObject({ points: 2, status: "passed" });
      for (const r of rows.slice(1)) expect(r).toMatchObject({ points: 0, max_points: 2, status: "not-graded" });
      expect(fs.readFileSync(path.join(out, "grades.csv"), "utf8").trim().split("\n")).toHaveLength(5);
      for (const s of students) expect(fs.existsSync(feedbackPath(out, `${s}/${WELCOME}`))).toBe(true);
      expect(fs.readdirSync(scratch)).toEqual([]);
      fs.rmdirSync(scratch);
    }, 300_000);
  }
});
