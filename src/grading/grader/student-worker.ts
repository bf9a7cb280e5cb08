/**
 * The student's process: runs the submission's locked and exercise cells in tslab's engine,
 * confined by the sandbox (sandbox.ts), and answers the test process's calls to the student's
 * functions over the channel (sync-channel.ts). It never sees a test cell, a hidden test or an
 * expected value: whatever its code patches, it patches only here.
 *
 * The test process drives it: `ahead` lets it run its cells up to one before the next cell that
 * calls it, `advance` runs them up to that cell and answers `ready`, `call` runs one of the
 * student's functions on the test's inputs, `finish` runs the rest and ends.
 * A call runs as a plain call: a function that runs past its test's time limit is stopped by
 * the grader killing this process, and the grader starts a new one for the next tests (which
 * replays the cells up to them). Guarding each call with vm's breakOnSigint instead starts a
 * watchdog thread per call, 0.2–0.9 ms each on a busy 2-core machine, which a test that calls a
 * function 20,000 times cannot afford.
 */
import type { Job, JobCell } from "./protocol";
import { vectorJacobianProduct } from "./remote-gradient";
import { ChannelClosedError, ChannelError, SyncChannel, type Target } from "./sync-channel";
import { createEngine, guardKill, main, notebookTf, reporter, runCell } from "./worker-common";

async function run(job: Job, startedMs: number): Promise<void> {
  const report = reporter(job.nonce);
  const engine = createEngine();
  engine.startNotebook(process.cwd());
  guardKill();
  const locals = (engine as unknown as { executor: { locals: Record<string, unknown> } }).executor.locals;
  /** The student's graded names as their exercise cell left them. */
  const graded = new Map<string, unknown>();
  const tf = notebookTf();
  const missing = new Map<string, string>();

  const onNamedCall = (target: Target, args: unknown[]): unknown => {
    const name = "name" in target ? target.name : "";
    if (!graded.has(name)) {
      throw new ReferenceError(missing.get(name) ?? `${name} is not defined by your exercise cell`);
    }
    const value = graded.get(name);
    if ("get" in target && target.get) return value;
    if ("construct" in target && target.construct) {
      if (typeof value !== "function") throw new TypeError(`${name} is not a class in your exercise cell (it is ${typeof value})`);
      const Ctor = value as new (...a: unknown[]) => unknown;
      return new Ctor(...args);
    }
    if (typeof value !== "function") throw new TypeError(`${name} is not a function in your exercise cell (it is ${typeof value})`);
    const f = value as (...a: unknown[]) => unknown;
    if ("vjp" in target && target.vjp) return vectorJacobianProduct(tf, f, args[0] as unknown[], args[1], (g) => g());
    return f(...args);
  };

  let channel: SyncChannel;
  try {
    channel = SyncChannel.open(job.channel, "student", tf, onNamedCall);
  } catch (err) {
    throw new Error(`could not open the channel to the tests: ${(err as Error).message}`);
  }
  report({ type: "started", ms: performance.now() - startedMs });

  const pending: JobCell[] = [...job.cells].sort((a, b) => a.index - b.index);
  const runUpTo = async (to: number) => {
    while (pending.length && pending[0].index <= to) {
      const cell = pending.shift()!;
      const { ok } = await runCell(engine, report, cell.index, cell.source, job.timeoutMs);
      for (const name of cell.graded ?? []) {
        if (Object.hasOwn(locals, name)) graded.set(name, locals[name]);
        else missing.set(name, `${name} is not defined: your exercise cell ${cell.gradeId} ${ok ? "does not declare it" : "failed before declaring it"}`);
      }
    }
  };

  try {
    for (;;) {
      const m = channel.receive();
      if (m.t === "ahead") {
        await runUpTo(m.to);
      } else if (m.t === "advance") {
        await runUpTo(m.to);
        channel.send({ t: "ready", to: m.to });
      } else if (m.t === "call") {
        channel.serveCall(m);
      } else if (m.t === "finish") {
        await runUpTo(Number.MAX_SAFE_INTEGER);
        break;
      } else {
        throw new ChannelError(`unexpected message "${m.t}" from the test process`);
      }
    }
  } catch (err) {
    // The test process has ended: no test will call again. Anything else is this worker's failure.
    if (!(err instanceof ChannelClosedError)) throw err;
  }
  channel.close();
  report({ type: "done" });
  await engine.close();
}

main(run);
