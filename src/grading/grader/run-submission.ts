/**
 * Runs one submission's plan in two sandboxed processes and collects what each cell did:
 *
 *   the student's process  locked cells and the student's exercise cells (student-worker.ts)
 *   the test process       locked cells, stand-ins for the exercise cells and the tests
 *                          (tests-worker.ts), calling the student's functions over named pipes
 *
 * The grader keeps every clock and the memory watch:
 * - a student's cell past the timeout gets SIGINT (the engine stops it with TimeoutError), and
 *   SIGKILL a grace period later if it is still running;
 * - a test past the timeout: SIGINT to the student's process (a runaway function stops and the
 *   test sees its TimeoutError), then to the test process, then SIGKILL to each in turn;
 * - both must start within `startupMs`; the whole submission must end within `totalMs`;
 * - resident memory is polled and a process above `rssMb` is killed.
 * Whatever happens, both processes end, and the result says which cells reported.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { GET_KEY } from "./graded-names";
import type { PlannedCell } from "./plan";
import type { CellError, Job, WorkerMessage } from "./protocol";
import type { Runtime, SubmissionDirs } from "./sandbox";
import { WorkerProcess, type Death } from "./worker-process";

export type { Death } from "./worker-process";

export interface RunLimits {
  timeoutMs: number;
  heapMb: number;
  rssMb: number;
  startupMs: number;
  graceMs: number;
  /** The whole submission, both processes, start to end. */
  totalMs: number;
}

export interface CellResult {
  ms: number;
  timedOut: boolean;
  error?: CellError;
  stdout: string;
}

export interface RunResult {
  /** The test process's results, indexed like the planned cells (undefined: never reported). */
  cells: (CellResult | undefined)[];
  /** The student's process's results for its cells (locked and exercise). */
  studentCells: (CellResult | undefined)[];
  /** Why the student's process ended early, if it did. */
  death?: Death;
  /** Why the test process ended early, if it did. */
  testsDeath?: Death;
  startupMs?: number;
  seconds: number;
}

const studentRuns = (c: PlannedCell) => c.role !== "test";

/**
 * The cells of the test process that may call the student's process: every test, an exercise's
 * stand-in that fetches a constant, and a locked cell that names a graded function.
 */
export function callingCells(planned: PlannedCell[]): number[] {
  const graded: string[] = [];
  return planned.flatMap((c, i) => {
    if (c.role === "exercise") {
      graded.push(...(c.graded ?? []));
      return c.source.includes(GET_KEY) ? [i] : [];
    }
    if (c.role === "test") return [i];
    return graded.some((name) => new RegExp(`(^|[^\\w$])${name.replace(/\$/g, "\\$")}([^\\w$]|$)`).test(c.source)) ? [i] : [];
  });
}

export async function runSubmission(runtime: Runtime, dirs: SubmissionDirs, planned: PlannedCell[], limits: RunLimits): Promise<RunResult> {
  const t0 = performance.now();
  const result: RunResult = { cells: planned.map(() => undefined), studentCells: planned.map(() => undefined), seconds: 0 };
  const channel = { toStudent: path.join(dirs.channel, "to-student"), toTests: path.join(dirs.channel, "to-tests") };
  execFileSync("mkfifo", ["-m", "600", channel.toStudent, channel.toTests]);

  const timers = { student: [] as NodeJS.Timeout[], tests: [] as NodeJS.Timeout[] };
  const clear = (which: "student" | "tests") => timers[which].splice(0).forEach(clearTimeout);
  const later = (which: "student" | "tests", ms: number, f: () => void) => timers[which].push(setTimeout(f, ms));
  const where = (i: number) => (i >= 0 && i < planned.length ? `cell ${planned[i].gradeId}` : "startup");
  const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
  let started = 0;
  let startup: NodeJS.Timeout | undefined;
  const onStarted = (ms: number) => {
    result.startupMs = Math.max(result.startupMs ?? 0, ms);
    if (++started === 2) clearTimeout(startup);
  };

  const common = { runtime, heapMb: limits.heapMb, rssMb: limits.rssMb };
  const syncPoints = callingCells(planned);
  const studentJob: Job = {
    type: "job", nonce: randomBytes(16).toString("hex"), timeoutMs: limits.timeoutMs, channel, syncPoints,
    cells: planned.flatMap((c, index) => (studentRuns(c) ? [{ index, gradeId: c.gradeId, source: c.studentSource ?? c.source, graded: c.graded }] : [])),
  };
  const testsJob: Job = {
    type: "job", nonce: randomBytes(16).toString("hex"), timeoutMs: limits.timeoutMs, channel, syncPoints,
    cells: planned.map((c, index) => ({ index, gradeId: c.gradeId, source: c.source })),
  };

  // eslint-disable-next-line prefer-const
  let tests: WorkerProcess;
  const student: WorkerProcess = new WorkerProcess(studentJob, {
    ...common, worker: runtime.workers.student, cwd: dirs.student, own: [dirs.student, dirs.channel],
    cellOrder: studentJob.cells.map((c) => c.index),
    onMessage: (m: WorkerMessage) => {
      if (m.type === "started") onStarted(m.ms);
      else if (m.type === "cell-start") {
        clear("student");
        later("student", limits.timeoutMs, () => student.interrupt());
        later("student", limits.timeoutMs + limits.graceMs, () =>
          student.kill("timeout", `${where(m.index)} ran longer than ${seconds(limits.timeoutMs)} and did not stop when interrupted`));
      } else if (m.type === "cell-end") {
        clear("student");
        result.studentCells[m.index] = { ms: m.ms, timedOut: m.timedOut, error: m.error, stdout: m.stdout };
      }
    },
  });
  tests = new WorkerProcess(testsJob, {
    ...common, worker: runtime.workers.tests, cwd: dirs.tests, own: [dirs.tests, dirs.channel],
    cellOrder: testsJob.cells.map((c) => c.index),
    onMessage: (m: WorkerMessage) => {
      if (m.type === "started") onStarted(m.ms);
      else if (m.type === "cell-start") {
        clear("tests");
        // First the student's function (the test then fails with its TimeoutError), then the
        // test's own code, then kills, one at a time so that each step can take effect.
        later("tests", limits.timeoutMs, () => student.interrupt());
        later("tests", limits.timeoutMs + limits.graceMs / 2, () => tests.interrupt());
        later("tests", limits.timeoutMs + limits.graceMs, () =>
          student.kill("timeout", `a function called by ${where(m.index)} ran longer than ${seconds(limits.timeoutMs)} and did not stop when interrupted`));
        later("tests", limits.timeoutMs + 1.5 * limits.graceMs, () => tests.kill("timeout", `${where(m.index)} did not end after its time limit`));
      } else if (m.type === "cell-end") {
        clear("tests");
        result.cells[m.index] = { ms: m.ms, timedOut: m.timedOut, error: m.error, stdout: m.stdout };
      } else if (m.type === "done") {
        clear("tests");
        // Both exit by themselves; one that lingers (a cell left a timer or replaced process.exit) is stopped.
        later("tests", limits.graceMs, () => (student.stop(), tests.stop()));
      }
    },
  });
  startup = setTimeout(() => {
    const message = `the notebook's processes did not start within ${seconds(limits.startupMs)}`;
    student.kill("startup", message);
    tests.kill("startup", message);
  }, limits.startupMs);
  const total = setTimeout(() => {
    const message = `the submission ran longer than ${seconds(limits.totalMs)} in total and was stopped`;
    student.kill("total-time", message);
    tests.kill("total-time", message);
  }, limits.totalMs);

  // When the test process ends, nothing will call the student's functions again.
  void tests.exited.then(() => setTimeout(() => student.stop(), limits.graceMs).unref());
  await Promise.all([student.exited, tests.exited]);
  clear("student");
  clear("tests");
  clearTimeout(startup);
  clearTimeout(total);
  result.seconds = (performance.now() - t0) / 1000;
  if (student.death) result.death = describeDeath(student.death, "the notebook's process", where);
  if (tests.death) result.testsDeath = describeDeath(tests.death, "the test process", where);
  return result;
}

/** Deaths found by the process itself get the process's name and the cell; the grader's own kills are whole sentences. */
function describeDeath(d: Death, who: string, where: (i: number) => string): Death {
  if (d.kind === "exited" || d.kind === "memory" || d.kind === "malformed") return { ...d, message: `${who} ${d.message} during ${where(d.cell)}` };
  return d;
}
