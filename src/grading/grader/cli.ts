/**
 * `npm run grade -- <files or folders> [--out DIR] [--jobs N] [--timeout S] [--total-timeout S] [--source DIR] [--memory MB] [--keep]`
 *
 * Grades a class's notebooks against the source notebooks (solutions/ by default), each in its own
 * pair of sandboxed processes (run-submission.ts), and writes DIR/grades.csv, DIR/grades.json and
 * DIR/feedback/<submission's path>.html (DIR defaults to build/grades). Ends with a table of each
 * submission's points and problems. Exit code 0 when the batch was graded (whatever the grades),
 * 2 for bad arguments, 130 when stopped by SIGINT or SIGTERM (what was graded is written).
 * With --shard i/n it grades one slice of the class and writes DIR/shard.json too; join the
 * shards' folders with `npm run grade:merge` (merge-cli.ts).
 */
import * as path from "node:path";
import { parseGradeArgs } from "./args";
import { gradeBatch, type SubmissionReport } from "./grade";

function summaryTable(reports: SubmissionReport[]): string {
  const lines = [`${"submission".padEnd(40)} ${"points".padStart(9)}  problems`];
  for (const r of [...reports].sort((a, b) => a.id.localeCompare(b.id))) {
    const notPassed = r.outcomes.filter((o) => o.status !== "passed").map((o) => `${o.gradeId || r.notebook}: ${o.status}`);
    const issues = [...notPassed, ...r.problems.filter((p) => !notPassed.some((n) => n.includes(p)))];
    lines.push(`${r.id.slice(0, 40).padEnd(40)} ${`${r.points}/${r.maxPoints}`.padStart(9)}  ${issues.join("; ") || "—"}`);
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  let o;
  try {
    o = parseGradeArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const t0 = performance.now();
  let done = 0;
  // Ctrl-C or a job scheduler's SIGTERM: stop the running submissions, write what is graded.
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) return;
    console.error(`\n${sig}: stopping; the grades so far are written, the rest are marked not-graded.`);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const reports = await gradeBatch(o, (r) => {
    done++;
    console.log(`[${done}] ${r.id}: ${r.points}/${r.maxPoints} in ${r.seconds.toFixed(1)} s`);
  }, stop.signal);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`\n${summaryTable(reports)}\n`);
  const slice = o.shard ? ` (shard ${o.shard.index}/${o.shard.count}; merge the shards with npm run grade:merge)` : "";
  console.log(`${reports.length} submission(s)${slice} in ${seconds.toFixed(1)} s with ${o.jobs} job(s). Grades: ${path.relative(process.cwd(), path.join(o.out, "grades.csv"))}, feedback: ${path.relative(process.cwd(), path.join(o.out, "feedback"))}/`);
  if (stop.signal.aborted) process.exit(130);
}

main().catch((err) => {
  console.error((err as Error).stack ?? String(err));
  process.exit(1);
});
