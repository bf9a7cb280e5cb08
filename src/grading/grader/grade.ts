/**
 * Grades a batch: each submission is resolved (links refused, matched to its source notebook),
 * planned, run in its own pair of sandboxed processes (at most `jobs` at once) and scored.
 * One broken or hostile submission never stops the batch, and nothing already graded is lost:
 * grades.csv, grades.json and each feedback page are written as each submission ends, and
 * again, complete, when the batch ends or is interrupted (the rest then read "not-graded").
 * With `--shard i/n` the whole class is still found and resolved (so ids and duplicates are
 * decided as in one run), only the shard's slice is graded and written, and shard.json says
 * which slice of which class it is (shard.ts).
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
import { classFingerprint, shardOf, writeManifest, SHARD_FORMAT, type ShardManifest } from "./shard";
import { scoreSubmission, unrunOutcomes, type Status, type TestOutcome } from "./score";
import { matchSource } from "./source-match";
import { findSubmissions, refusalOf, type Submission } from "./submissions";
import { WorkerProcess } from "./worker-process";

export interface SubmissionReport {
  /** Collision-free key: the file's path relative to the inputs' common folder. */
  id: string;
  student: string;
  notebook: string;
  /** The source notebook it was graded against (differs from `notebook` for a renamed copy). */
  source: string;
  file: string;
  points: number;
  maxPoints: number;
  seconds: number;
  /** Tampering, missing or duplicated cells, and why the submission could not run. */
  problems: string[];
  outcomes: TestOutcome[];
}

export function limitsOf(o: GradeOptions, cells: number): RunLimits {
  const timeoutMs = o.timeoutS * 1000;
  const startupMs = 120_000;
  // A submission may use its whole time limit in every cell, twice over, and no more.
  const totalMs = o.totalS !== undefined ? o.totalS * 1000 : startupMs + 2 * timeoutMs * Math.max(1, cells);
  return { timeoutMs, heapMb: o.memoryMb, rssMb: 2 * o.memoryMb + 512, startupMs, graceMs: 5_000, totalMs };
}

function sourceNotebooks(dir: string): Map<string, Notebook> {
  const sources = new Map<string, Notebook>();
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort()) {
    try {
      sources.set(name, readNotebook(path.join(dir, name)));
    } catch {
      // An unreadable source only matters to the submissions that match it by name (reported there).
    }
  }
  return sources;
}

function finish(s: Submission, source: string, outcomes: TestOutcome[], problems: string[], seconds: number): SubmissionReport {
  const sum = (f: (o: TestOutcome) => number) => outcomes.reduce((a, o) => a + f(o), 0);
  return {
    id: s.id, student: s.student, notebook: s.notebook, source, file: s.file,
    points: sum((o) => o.points), maxPoints: sum((o) => o.maxPoints), seconds, problems, outcomes,
  };
}

/** Rows for a submission that did not run: the source's tests with their points missed, or one row. */
function unrun(s: Submission, source: Notebook | undefined, sourceName: string, status: Status, reason: string): SubmissionReport {
  const outcomes = source
    ? unrunOutcomes(testsOf(source), status, reason)
    : [{ gradeId: "", exercise: "", points: 0, maxPoints: 0, status, reason, visibleStdout: "", hidden: { passed: 0, failed: 0, present: false } }];
  return finish(s, sourceName, outcomes, [reason], 0);
}

/** Reads a submission without following links, and refuses one that became a link since it was found. */
function readSubmission(file: string): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.nlink > 1) throw new Error(refusalOf(file) ?? "refused: not a regular file with one name");
    return fs.readFileSync(fd, "utf8");
  } finally {
    fs.closeSync(fd);
  }
}

interface Resolved {
  s: Submission;
  text?: string;
  notebook?: Notebook;
  source?: string;
  early?: SubmissionReport;
  note?: string;
}

/** Reads and matches every submission; decides the ones that will not run (links, unreadable, unmatched, duplicates). */
function resolveAll(submissions: Submission[], sources: Map<string, Notebook>): Resolved[] {
  const resolved = submissions.map((s): Resolved => {
    const byName = matchSource(s.notebook, undefined, sources);
    if (s.refused) return { s, early: unrun(s, byName.name ? sources.get(byName.name) : undefined, byName.name ?? s.notebook, "refused", s.refused) };
    let text: string;
    try {
      text = readSubmission(s.file);
    } catch (err) {
      return { s, early: unrun(s, byName.name ? sources.get(byName.name) : undefined, byName.name ?? s.notebook, "refused", (err as Error).message) };
    }
    let notebook: Notebook | undefined;
    let unreadable: string | undefined;
    try {
      notebook = parseNotebook(text, s.notebook);
    } catch (err) {
      unreadable = `the submission cannot be read: ${(err as Error).message}`;
    }
    const match = matchSource(s.notebook, notebook, sources);
    if (!match.name) return { s, early: unrun(s, undefined, s.notebook, "no-source", `no source notebook in the source folder: ${match.note}`) };
    if (unreadable) return { s, early: unrun(s, sources.get(match.name), match.name, "invalid", unreadable) };
    return { s, text, notebook, source: match.name, note: match.note || undefined };
  });
  // One graded file per student folder and source notebook: the exact name wins, else the first.
  const groups = new Map<string, Resolved[]>();
  for (const r of resolved.filter((r) => !r.early)) {
    const key = `${path.posix.dirname(r.s.id)}\0${r.source}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const kept = group.find((r) => r.s.notebook === r.source) ?? group[0];
    for (const r of group.filter((x) => x !== kept)) {
      r.early = unrun(r.s, undefined, r.source!, "duplicate", `${r.s.notebook} answers ${r.source} too; ${kept.s.notebook} was graded for it`);
    }
  }
  return resolved;
}

async function gradeResolved(r: Resolved, sources: Map<string, Notebook>, o: GradeOptions, runtime: Runtime): Promise<SubmissionReport> {
  if (r.early) return r.early;
  const source = sources.get(r.source!)!;
  const plan = planGrading(source, r.notebook!);
  const dirs = runtime.scratch();
  try {
    fs.writeFileSync(path.join(dirs.student, r.s.notebook), r.text!);
    const run = await runSubmission(runtime, dirs, plan.cells, limitsOf(o, plan.cells.length));
    const problems = [...(r.note ? [r.note] : []), ...plan.problems.map((p) => p.message)];
    for (const d of [run.death, run.testsDeath]) if (d) problems.push(d.message);
    return finish(r.s, r.source!, scoreSubmission(plan, run), problems, run.seconds);
  } finally {
    if (!o.keep) dirs.remove();
  }
}

/** Runs `work` over `items` with at most `jobs` at once, keeping the items' order; stops taking items once `stop()` is true. */
async function pool<T>(items: T[], jobs: number, stop: () => boolean, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length && !stop()) {
      const i = next++;
      await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, lane));
}

export async function gradeBatch(o: GradeOptions, onDone: (r: SubmissionReport) => void = () => undefined, signal?: AbortSignal): Promise<SubmissionReport[]> {
  const submissions = findSubmissions(o.inputs);
  if (submissions.length === 0) throw new Error(`npm run grade: expected .ipynb submissions in ${o.inputs.join(", ")}, found none.`);
  if (!fs.existsSync(o.source)) throw new Error(`npm run grade: --source: expected the folder of source notebooks, got "${o.source}", which does not exist.`);
  const sources = sourceNotebooks(o.source);
  const resolved = resolveAll(submissions, sources);
  const reports: (SubmissionReport | undefined)[] = resolved.map(() => undefined);
  fs.mkdirSync(o.out, { recursive: true });
  let manifest: ShardManifest | undefined;
  let selected = resolved.map((_, i) => i);
  if (o.shard) {
    const mine = shardOf(resolved.map((r) => r.s.id), o.shard);
    selected = selected.filter((i) => mine.has(resolved[i].s.id));
    manifest = {
      format: SHARD_FORMAT, class: classFingerprint(submissions, o.source, o), shard: o.shard.index, of: o.shard.count,
      submissions: resolved.map((r) => r.s.id), mine: selected.map((i) => resolved[i].s.id), complete: false,
    };
    writeManifest(o.out, manifest);
  }
  const graded = () => reports.filter((r): r is SubmissionReport => !!r);
  const onAbort = () => WorkerProcess.killAll("the grader was interrupted");
  signal?.addEventListener("abort", onAbort);
  const runtime = createRuntime();
  let finished = false;
  try {
    await pool(selected, o.jobs, () => !!signal?.aborted, async (i) => {
      const r = resolved[i];
      let report: SubmissionReport;
      try {
        report = await gradeResolved(r, sources, o, runtime);
      } catch (err) {
        // A grader bug must not lose the other students' grades; this one gets its rows anyway.
        report = unrun(r.s, r.source ? sources.get(r.source) : undefined, r.source ?? r.s.notebook, "error", `the grader failed on this submission: ${(err as Error).message}`);
      }
      if (signal?.aborted) {
        report = unrun(r.s, r.source ? sources.get(r.source) : undefined, r.source ?? r.s.notebook, "not-graded", "the grader was interrupted while grading this submission");
      }
      reports[i] = report;
      writeFeedback(o.out, report);
      writeGrades(o.out, graded());
      onDone(report);
    });
    finished = true;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    selected.forEach((i) => {
      const r = resolved[i];
      reports[i] ??= unrun(r.s, r.source ? sources.get(r.source) : undefined, r.source ?? r.s.notebook, "not-graded", "the grader was interrupted before this submission");
    });
    writeGrades(o.out, graded());
    for (const r of graded()) writeFeedback(o.out, r);
    if (manifest) writeManifest(o.out, { ...manifest, complete: finished && !signal?.aborted });
    if (!o.keep) runtime.remove();
  }
  return graded();
}
