/**
 * Grades a batch: each submission is read, planned against its source notebook, run in its own
 * sandboxed process (at most `jobs` at once) and scored; one broken submission never stops the
 * batch. Writes grades.csv, grades.json and a feedback page per submission.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseNotebook, readNotebook, type Notebook } from "../../runner/notebook";
import type { GradeOptions } from "./args";
import { writeFeedback } from "./feedback";
import { planGrading, testsOf } from "./plan";
import { writeGrades } from "./report";
import { runSubmission, type RunLimits } from "./run-submission";
import { createRuntime, type Runtime } from "./sandbox";
import { scoreSubmission, unrunOutcomes, type TestOutcome } from "./score";
import { findSubmissions, type Submission } from "./submissions";

export interface SubmissionReport {
  student: string;
  notebook: string;
  file: string;
  points: number;
  maxPoints: number;
  seconds: number;
  /** Tampering, missing or duplicated cells, and why the submission could not run. */
  problems: string[];
  outcomes: TestOutcome[];
}

export function limitsOf(o: GradeOptions): RunLimits {
  return { timeoutMs: o.timeoutS * 1000, heapMb: o.memoryMb, rssMb: 2 * o.memoryMb + 512, startupMs: 120_000, graceMs: 5_000 };
}

const sourceCache = new Map<string, Notebook | Error>();
function sourceNotebook(dir: string, name: string): Notebook | Error {
  const file = path.join(dir, name);
  if (!sourceCache.has(file)) {
    try {
      sourceCache.set(file, readNotebook(file));
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
      sourceCache.set(file, new Error(missing ? `no source notebook ${name} in ${dir}` : `the source notebook ${name} cannot be read: ${(err as Error).message}`));
    }
  }
  return sourceCache.get(file)!;
}

function finish(s: Submission, outcomes: TestOutcome[], problems: string[], seconds: number): SubmissionReport {
  const sum = (f: (o: TestOutcome) => number) => outcomes.reduce((a, o) => a + f(o), 0);
  return { student: s.student, notebook: s.notebook, file: s.file, points: sum((o) => o.points), maxPoints: sum((o) => o.maxPoints), seconds, problems, outcomes };
}

export async function gradeOne(s: Submission, o: GradeOptions, runtime: Runtime): Promise<SubmissionReport> {
  const source = sourceNotebook(o.source, s.notebook);
  if (source instanceof Error) {
    const outcome: TestOutcome = { gradeId: "", exercise: "", points: 0, maxPoints: 0, status: "no-source", reason: source.message, visibleStdout: "", hidden: { passed: 0, failed: 0, present: false } };
    return finish(s, [outcome], [source.message], 0);
  }
  let submission: Notebook;
  try {
    submission = parseNotebook(fs.readFileSync(s.file, "utf8"), path.basename(s.file));
  } catch (err) {
    const reason = `the submission cannot be read: ${(err as Error).message}`;
    return finish(s, unrunOutcomes(testsOf(source), "invalid", reason), [reason], 0);
  }
  const plan = planGrading(source, submission);
  const scratch = runtime.scratch();
  fs.copyFileSync(s.file, path.join(scratch, s.notebook));
  const run = await runSubmission(runtime, scratch, plan.cells, limitsOf(o));
  const problems = plan.problems.map((p) => p.message);
  if (run.death) problems.push(run.death.message);
  return finish(s, scoreSubmission(plan, run), problems, run.seconds);
}

/** Runs `work` over `items` with at most `jobs` at once, keeping the items' order in the result. */
async function pool<T, R>(items: T[], jobs: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, lane));
  return results;
}

export async function gradeBatch(o: GradeOptions, onDone: (r: SubmissionReport) => void = () => undefined): Promise<SubmissionReport[]> {
  const submissions = findSubmissions(o.inputs);
  if (submissions.length === 0) throw new Error(`npm run grade: expected .ipynb submissions in ${o.inputs.join(", ")}, found none.`);
  if (!fs.existsSync(o.source)) throw new Error(`npm run grade: --source: expected the folder of source notebooks, got "${o.source}", which does not exist.`);
  const runtime = createRuntime();
  try {
    const reports = await pool(submissions, o.jobs, async (s) => {
      let r: SubmissionReport;
      try {
        r = await gradeOne(s, o, runtime);
      } catch (err) {
        // A grader bug must not lose the other students' grades; this one gets its rows anyway.
        const reason = `the grader failed on this submission: ${(err as Error).message}`;
        const source = sourceNotebook(o.source, s.notebook);
        r = finish(s, unrunOutcomes(source instanceof Error ? [] : testsOf(source), "error", reason), [reason], 0);
      }
      onDone(r);
      return r;
    });
    fs.mkdirSync(o.out, { recursive: true });
    writeGrades(o.out, reports);
    for (const r of reports) writeFeedback(o.out, r);
    return reports;
  } finally {
    if (!o.keep) runtime.remove();
  }
}
