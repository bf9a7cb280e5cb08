/** Builds a class of submissions from the course's solutions and runs the built grader on it. */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { nbgraderOf, solvedSource, withSolutionBody } from "../../src/grading/exercise-cells";
import { releaseNotebook } from "../../src/grading/student-release";
import { readNotebook, serializeNotebook, sourceOf, toLines, type Notebook } from "../../src/runner/notebook";

export const ROOT = path.resolve(__dirname, "../..");
export const CLI = path.join(ROOT, "dist/grading/grader/cli.js");
export const WELCOME = "00-welcome.ipynb";
export const RNN = "01-vanilla-rnn.ipynb";
export const source = (name: string): Notebook => readNotebook(path.join(ROOT, "solutions", name));
export const wrong = (nb: string, id: string, file: string): string => fs.readFileSync(path.join(ROOT, "test/fixtures/wrong", nb, id, file), "utf8");

export type Answer = "solved" | "stub" | { body: string } | { cell: string };

/** The released notebook with the given exercises answered (others left as stubs). */
export function submission(name: string, answers: Record<string, Answer>): Notebook {
  const src = source(name);
  const nb = releaseNotebook(src, name);
  nb.cells.forEach((cell, i) => {
    const id = nbgraderOf(cell)?.grade_id;
    const a = id ? answers[id] : undefined;
    if (!id || !a || a === "stub") return;
    const original = sourceOf(src.cells[i]);
    const text = a === "solved" ? solvedSource(original, id) : "body" in a ? withSolutionBody(original, id, a.body) : a.cell;
    cell.source = toLines(text);
  });
  return nb;
}

export const allSolved = (name: string): Record<string, Answer> =>
  Object.fromEntries(source(name).cells.filter((c) => nbgraderOf(c)?.solution).map((c) => [nbgraderOf(c)!.grade_id, "solved" as Answer]));

/** The solved exercise cell of a notebook, as a student who got it right would hand it in. */
export const solvedCell = (name: string, id: string): string => solvedSource(sourceOf(source(name).cells.find((c) => nbgraderOf(c)?.grade_id === id)!), id);

/** Writes `files` (path relative to `dir` → notebook or raw text) into `dir`. */
export function writeClass(dir: string, files: Record<string, Notebook | string>): void {
  for (const [rel, nb] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), typeof nb === "string" ? nb : serializeNotebook(nb));
  }
}

export interface Row {
  submission: string; student: string; notebook: string; source: string; grade_id: string; exercise: string;
  points: number; max_points: number; status: string; reason: string;
}
export interface SubmissionSummary { submission: string; student: string; notebook: string; points: number; max_points: number; problems: string[] }

export async function grade(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ stdout: string; rows: Row[]; submissions: SubmissionSummary[] }> {
  if (!fs.existsSync(CLI)) throw new Error(`expected the built grader at ${CLI}; run npm run build first.`);
  const out = args[args.indexOf("--out") + 1];
  const r = await promisify(execFile)(process.execPath, [CLI, ...args], { cwd: ROOT, env, maxBuffer: 1 << 24 });
  const json = JSON.parse(fs.readFileSync(path.join(out, "grades.json"), "utf8"));
  return { stdout: r.stdout, rows: json.rows, submissions: json.submissions };
}
