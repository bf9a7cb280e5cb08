/**
 * The test process: the only place a submission's tests run and are decided.
 *
 * It runs the source notebook's locked cells, a stand-in for each exercise cell (graded-names.ts:
 * the source's signatures, bodies that call the student's process) and the source's test cells,
 * hidden tests included. No student code runs here, so the checks, the library, the built-ins,
 * the test source and this process's report channel are out of a student's reach; only data
 * comes back from a student's function (remote-value.ts), and the test judges that data.
 *
 * When the student's process ends (the grader stops a function past its test's time limit), the
 * grader starts a new one and says so on file descriptor 3; the new one replays the student's
 * cells up to the next test, so one runaway function costs only its own test.
 *
 * Before each cell that calls the student (job.syncPoints) it lets the student's process catch up
 * to the same cell (`advance`), so a student's function is called in the state the notebook
 * would have at that point; in between, both processes run their cells at the same time.
 */
import type { ChannelPaths, GraderNotice, Job } from "./protocol";
import { CALL_KEY, GET_KEY, NEW_KEY } from "./graded-names";
import { callGraded } from "./remote-gradient";
import { ChannelClosedError, ChannelError, SyncChannel } from "./sync-channel";
import { createEngine, guardKill, main, notebookTf, readGraderLine, reporter, runCell } from "./worker-common";

async function run(job: Job, startedMs: number): Promise<void> {
  const report = reporter(job.nonce);
  const engine = createEngine();
  engine.startNotebook(process.cwd());
  guardKill();
  const tf = notebookTf();
  let lost: string | undefined;
  let channel: SyncChannel | undefined;
  /** No student's process will serve calls again (the grader said so, or the last one misbehaved). */
  let final = false;
  const connect = (paths: ChannelPaths) => {
    try {
      channel = SyncChannel.open(paths, "tests", tf);
      lost = undefined;
    } catch (err) {
      lost = `could not reach the student's process (${(err as Error).message})`;
    }
  };
  /** After the student's process ended, the grader says whether a new one serves the next tests. */
  const reconnect = () => {
    if (!lost || final) return;
    channel?.close();
    channel = undefined;
    const next = JSON.parse(readGraderLine()) as GraderNotice;
    if (next.type === "channel") connect(next.channel);
    else [final, lost] = [true, next.reason];
  };
  connect(job.channel);
  const withChannel = <T>(f: (c: SyncChannel) => T): T => {
    if (lost || !channel) throw new ChannelError(lost ?? "no channel");
    try {
      return f(channel);
    } catch (err) {
      if (err instanceof ChannelClosedError) lost = "the student's process ended";
      else if (err instanceof ChannelError) {
        // A student's process that breaks the protocol is not restarted.
        [final, lost] = [true, `the student's process stopped answering (${err.message})`];
        channel?.close();
      }
      throw err;
    }
  };
  const slots = globalThis as Record<symbol, unknown>;
  slots[Symbol.for(CALL_KEY)] = (name: string, args: unknown[]) => withChannel((c) => callGraded(c, tf, name, args));
  slots[Symbol.for(GET_KEY)] = (name: string) => withChannel((c) => c.call({ name, get: true }, []));
  // A constructor: `new X(…)` returns the object this function returns, the stand-in of the student's instance.
  slots[Symbol.for(NEW_KEY)] = (name: string) =>
    function (...args: unknown[]) {
      return withChannel((c) => c.call({ name, construct: true }, args));
    };
  report({ type: "started", ms: performance.now() - startedMs });

  const syncs = new Set(job.syncPoints);
  const nextSync = (after: number) => job.cells.find((c) => c.index > after && syncs.has(c.index))?.index ?? Number.MAX_SAFE_INTEGER;
  // Lets the student's process run its cells while this one runs its own, up to the next call.
  const letAhead = (after: number) => {
    if (!lost) {
      try {
        withChannel((c) => c.send({ t: "ahead", to: nextSync(after) - 1 }));
      } catch {
        /* recorded in `lost` */
      }
    }
  };
  letAhead(-1);
  for (const cell of job.cells) {
    if (!syncs.has(cell.index)) {
      await runCell(engine, report, cell.index, cell.source, job.timeoutMs);
      continue;
    }
    reconnect();
    if (!lost) {
      try {
        withChannel((c) => {
          c.send({ t: "advance", to: cell.index });
          const m = c.receive();
          if (m.t !== "ready" || m.to !== cell.index) throw new ChannelError(`expected ready for cell ${cell.index}, got "${m.t}"`);
        });
      } catch {
        // Recorded in `lost`; the cells still run and every call to the student fails with it.
      }
    }
    await runCell(engine, report, cell.index, cell.source, job.timeoutMs);
    letAhead(cell.index);
  }
  if (!lost && channel) {
    try {
      channel.send({ t: "finish" });
    } catch {
      /* the student's process has ended */
    }
  }
  channel?.close();
  report({ type: "done" });
  await engine.close();
}

main(run);
