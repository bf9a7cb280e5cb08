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
 * - a test past the timeout: the student's process is stopped (a runaway function cannot be
 *   interrupted, see student-worker.ts) and a new one replays the student's cells for the next
 *   tests (at most MAX_RESTARTS times); then the test's own code gets SIGINT, then SIGKILL;
 * - both must start within `startupMs`; the whole submission must end within `totalMs`;
 * - resident memory is polled and a process above `rssMb` is killed.
 * Whatever happens, both processes end, and the result says which cells reported.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { GET_KEY } from "./graded-names";
import type { PlannedCell } from "./plan";
import type { CellError, ChannelPaths, GraderNotice, Job, WorkerMessage } from "./protocol";
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
  /** Every student's process that ended early, and the test running then, if any. */
  studentDeaths: Death[];
  /** The last of studentDeaths. */
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

/** How many times a submission's student process is started again after one ended during a test. */
export const MAX_RESTARTS = 3;

export async function runSubmission(runtime: Runtime, dirs: SubmissionDirs, planned: PlannedCell[], limits: RunLimits): Promise<RunResult> {
  const t0 = performance.now();
  const result: RunResult = { cells: planned.map(() => undefined), studentCells: planned.map(() => undefined), studentDeaths: [], seconds: 0 };
  const channelOf = (generation: number): ChannelPaths => {
    const paths = { toStudent: path.join(dirs.channel, `to-student-${generation}`), toTests: path.join(dirs.channel, `to-tests-${generation}`) };
    execFileSync("mkfifo", ["-m", "600", paths.toStudent, paths.toTests]);
    return paths;
  };

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
  const studentCells = planned.flatMap((c, index) => (studentRuns(c) ? [{ index, gradeId: c.gradeId, source: c.studentSource ?? c.source, graded: c.graded }] : []));
  const firstChannel = channelOf(0);
  const testsJob: Job = {
    type: "job", nonce: randomBytes(16).toString("hex"), timeoutMs: limits.timeoutMs, channel: firstChannel, syncPoints,
    cells: planned.map((c, index) => ({ index, gradeId: c.gradeId, source: c.source })),
  };

  // eslint-disable-next-line prefer-const
  let tests: WorkerProcess;
  let testsDone = false;
  /** The test cell running now in the test process, or -1 between cells. */
  let testCell = -1;
  let student: WorkerProcess;
  let restarts = 0;
  const exits: Promise<void>[] = [];

  /** A student's process; a new one replays the cells from the start as the test process advances it. */
  const startStudent = (channel: ChannelPaths): WorkerProcess => {
    const job: Job = { type: "job", nonce: randomBytes(16).toString("hex"), timeoutMs: limits.timeoutMs, channel, syncPoints, cells: studentCells };
    const w: WorkerProcess = new WorkerProcess(job, {
      ...common, worker: runtime.workers.student, cwd: dirs.student, own: [dirs.student, dirs.channel],
      cellOrder: studentCells.map((c) => c.index),
      onMessage: (m: WorkerMessage) => {
        if (m.type === "started") {
          if (restarts === 0) onStarted(m.ms);
        } else if (m.type === "cell-start") {
          clear("student");
          later("student", limits.timeoutMs, () => w.interrupt());
          later("student", limits.timeoutMs + limits.graceMs, () =>
            w.kill("timeout", `${where(m.index)} ran longer than ${seconds(limits.timeoutMs)} and did not stop when interrupted`));
        } else if (m.type === "cell-end") {
          clear("student");
          result.studentCells[m.index] ??= { ms: m.ms, timedOut: m.timedOut, error: m.error, stdout: m.stdout };
        }
      },
    });
    exits.push(
      w.exited.then(() => {
        clear("student");
        if (w.death) result.studentDeaths.push({ ...describeDeath(w.death, "the notebook's process", where), test: w.death.test ?? (testCell >= 0 ? testCell : undefined) });
        if (w.finished || testsDone || tests.child.exitCode !== null || tests.child.signalCode !== null) return;
        // The test process will ask on its next call: a new student's process, or none.
        let notice: GraderNotice;
        const callsLeft = syncPoints.some((i) => i > (w.death?.test ?? testCell));
        if (w.death && callsLeft && restarts < MAX_RESTARTS && !["malformed", "startup", "total-time"].includes(w.death.kind)) {
          restarts++;
          const channel = channelOf(restarts);
          student = startStudent(channel);
          notice = { type: "channel", channel };
        } else {
          notice = { type: "no-channel", reason: w.death ? w.death.message : "the student's process ended" };
        }
        tests.tell(notice);
        // A process that died before opening its end of the pipes would leave the test process
        // waiting to open its own: open and close them in its place.
        if (!w.opened) releasePipes(w.channel);
      }),
    );
    return w;
  };
  student = startStudent(firstChannel);

  tests = new WorkerProcess(testsJob, {
    ...common, worker: runtime.workers.tests, cwd: dirs.tests, own: [dirs.tests, dirs.channel],
    cellOrder: testsJob.cells.map((c) => c.index),
    onMessage: (m: WorkerMessage) => {
      if (m.type === "started") onStarted(m.ms);
      else if (m.type === "cell-start") {
        clear("tests");
        testCell = m.index;
        // A student's function past the limit cannot be interrupted (plain calls, see
        // student-worker.ts): its process is stopped, and a new one serves the next tests. Then
        // the test's own code is interrupted, then stopped.
        later("tests", limits.timeoutMs, () =>
          student.kill("timeout", `${where(m.index)} ran longer than ${seconds(limits.timeoutMs)}; the student's process was stopped`, m.index));
        later("tests", limits.timeoutMs + limits.graceMs, () => tests.interrupt());
        later("tests", limits.timeoutMs + 2 * limits.graceMs, () => tests.kill("timeout", `${where(m.index)} did not end after its time limit`));
      } else if (m.type === "cell-end") {
        clear("tests");
        testCell = -1;
        result.cells[m.index] = { ms: m.ms, timedOut: m.timedOut, error: m.error, stdout: m.stdout };
      } else if (m.type === "done") {
        clear("tests");
        testsDone = true;
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
  await tests.exited;
  // Every student's process started (a restart may begin while another ends).
  for (let seen = 0; seen < exits.length; seen++) await exits[seen];
  clear("student");
  clear("tests");
  clearTimeout(startup);
  clearTimeout(total);
  result.seconds = (performance.now() - t0) / 1000;
  result.death = result.studentDeaths[result.studentDeaths.length - 1];
  if (tests.death) result.testsDeath = describeDeath(tests.death, "the test process", where);
  return result;
}

/** Opens and closes both ends a student's process would have opened, so the test process's open returns. */
function releasePipes(channel: ChannelPaths): void {
  const helper = spawn("/bin/sh", ["-c", ': < "$1"; : > "$2"', "sh", channel.toStudent, channel.toTests], { stdio: "ignore" });
  const stop = setTimeout(() => helper.kill("SIGKILL"), 30_000);
  helper.on("exit", () => clearTimeout(stop));
}

/** Deaths found by the process itself get the process's name and the cell; the grader's own kills are whole sentences. */
function describeDeath(d: Death, who: string, where: (i: number) => string): Death {
  if (d.kind === "exited" || d.kind === "memory" || d.kind === "malformed") return { ...d, message: `${who} ${d.message} during ${where(d.cell)}` };
  return d;
}
