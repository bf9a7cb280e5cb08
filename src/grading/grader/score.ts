/**
 * Points for one submission, nbgrader style: a test cell earns its points if it runs without an
 * error, else 0. Each test's status says why:
 *   passed         the test cell ran without error
 *   failed         a check (visible or hidden) failed, or the student's function threw
 *   not-attempted  the exercise still throws NotImplementedError (the stub)
 *   error          the exercise cell itself did not run (syntax or type error, exception)
 *   timeout        the exercise or the test ran past the time limit
 *   memory         the process ran out of memory
 *   exited         the process ended before the test reported (process.exit, a crash)
 *   invalid        the submission could not be read (corrupt JSON, not a notebook)
 *   no-source      no source notebook matches the file (by name or by its cells)
 *   refused        the file is a symbolic or hard link (never read)
 *   duplicate      another file of the same student answers the same notebook and was graded
 *   not-graded     the grader was interrupted before this submission
 */
import { HIDDEN_MARKER, type GradingPlan, type PlannedCell, type Problem, type TestItem } from "./plan";
import type { CellResult, RunResult } from "./run-submission";

export type Status =
  | "passed" | "failed" | "not-attempted" | "error" | "timeout" | "memory" | "exited" | "invalid" | "no-source"
  | "refused" | "duplicate" | "not-graded";

export interface TestOutcome {
  gradeId: string;
  exercise: string;
  points: number;
  maxPoints: number;
  status: Status;
  reason: string;
  /** For feedback: what the visible part printed, its error if it failed there, the hidden part's counts. */
  visibleStdout: string;
  visibleError?: string;
  hidden: { passed: number; failed: number; present: boolean };
}

const firstLine = (s: string) => s.split("\n")[0].slice(0, 300);
const errorText = (r: CellResult) => (r.error ? `${r.error.ename}: ${firstLine(r.error.evalue)}` : "");

/** Splits a test cell's printed text at the hidden-tests marker. */
export function splitAtHidden(stdout: string): { visible: string; hidden: string; reachedHidden: boolean } {
  const at = stdout.indexOf(HIDDEN_MARKER);
  if (at < 0) return { visible: stdout, hidden: "", reachedHidden: false };
  return { visible: stdout.slice(0, at), hidden: stdout.slice(at + HIDDEN_MARKER.length), reachedHidden: true };
}

const count = (text: string, mark: string) => text.split("\n").filter((l) => l.startsWith(mark)).length;

/** Tests whose rows all carry the same status and reason (the submission never ran). */
export function unrunOutcomes(tests: TestItem[], status: Status, reason: string): TestOutcome[] {
  return tests.map((t) => ({
    gradeId: t.gradeId, exercise: t.exercise, points: 0, maxPoints: t.points, status, reason,
    visibleStdout: "", hidden: { passed: 0, failed: 0, present: false },
  }));
}

function deathStatus(kind: string): Status {
  return kind === "timeout" || kind === "total-time" ? "timeout" : kind === "memory" ? "memory" : "exited";
}

export function scoreSubmission(plan: GradingPlan, run: RunResult): TestOutcome[] {
  const outcomes: TestOutcome[] = [];
  const tampered = new Map<string, Problem>(plan.problems.filter((p) => p.kind === "tampered" || p.kind === "missing").map((p) => [p.gradeId, p]));
  plan.cells.forEach((cell: PlannedCell, i) => {
    if (cell.role !== "test") return;
    const exercise = cell.exercise!;
    const maxPoints = cell.points ?? 0;
    const r = run.cells[i];
    const base = { gradeId: cell.gradeId, exercise, maxPoints, visibleStdout: "", hidden: { passed: 0, failed: 0, present: false } };
    // The first earlier cell that failed explains most failures (a setup or exercise cell).
    const exerciseIndex = plan.cells.findIndex((c) => c.role === "exercise" && c.gradeId === exercise);
    const exerciseResult = exerciseIndex >= 0 ? run.studentCells[exerciseIndex] : undefined;
    const setupFailure = plan.cells
      .slice(0, i)
      .map((c, j) => ({ c, r: run.cells[j]?.error ? run.cells[j] : run.studentCells[j] }))
      .find(({ c, r }) => c.role === "locked" && r?.error);
    let status: Status;
    let reason: string;
    if (!r) {
      const d = run.testsDeath ?? run.death;
      status = d ? deathStatus(d.kind) : "exited";
      reason = d ? `${d.message}; this test never ran to the end` : "the test did not report a result";
      outcomes.push({ ...base, points: 0, status, reason });
      return;
    }
    const parts = splitAtHidden(r.stdout);
    const hidden = { passed: count(parts.hidden, "✔"), failed: count(parts.hidden, "✘"), present: cell.source.includes(HIDDEN_MARKER) };
    if (r.error && parts.reachedHidden && hidden.failed === 0) hidden.failed = 1; // stopped by an exception, not a check
    const visibleError = r.error && !parts.reachedHidden ? errorText(r) : undefined;
    // A test whose student's process ended under it: that death explains it (a restart served the later tests).
    const death = r.error && /^Channel(Closed)?Error$/.test(r.error.ename) ? (run.studentDeaths.find((d) => d.test === i) ?? run.death) : undefined;
    if (!r.error) {
      status = "passed";
      reason = "";
    } else if (exerciseResult?.error?.ename === "NotImplementedError" || r.error.ename === "NotImplementedError") {
      status = "not-attempted";
      reason = `exercise ${exercise} is not implemented (NotImplementedError)`;
    } else if (exerciseResult?.timedOut || r.timedOut || r.error.ename === "TimeoutError") {
      status = "timeout";
      reason = exerciseResult?.timedOut ? `exercise cell ${exercise} timed out` : `the test ran past the time limit (${errorText(r)})`;
    } else if (death) {
      status = deathStatus(death.kind);
      reason = death.message;
    } else if (exerciseResult?.error) {
      status = "error";
      reason = `exercise cell ${exercise} failed: ${errorText(exerciseResult)}`;
    } else if (setupFailure) {
      status = "error";
      reason = `setup cell ${setupFailure.c.gradeId} failed: ${errorText(setupFailure.r!)}`;
    } else {
      status = "failed";
      reason = `${parts.reachedHidden ? "a hidden test" : "a visible test"} failed: ${errorText(r)}`;
    }
    const note = tampered.get(cell.gradeId) ?? tampered.get(exercise);
    if (note && note.kind === "tampered") reason = reason ? `${reason}; ${note.message}` : note.message;
    if (note && note.kind === "missing") reason = reason ? `${reason}; ${note.message}` : note.message;
    outcomes.push({ ...base, points: status === "passed" ? maxPoints : 0, status, reason, visibleStdout: parts.visible, visibleError, hidden });
  });
  return outcomes;
}
