/**
 * The kernel's interrupter: a worker thread that can stop a cell while the cell blocks the
 * kernel's own thread (a training loop after an `await` runs in promise jobs, where neither
 * SIGINT nor a control message can reach JavaScript until the loop ends).
 *
 * It learns of interrupts two ways, neither of which needs the kernel's thread:
 * - SIGINT from Jupyter (interrupt_mode "signal": jupyter_client signals the kernel's process
 *   group): a tiny /bin/sh in the same group traps it and writes a byte to this thread's pipe.
 *   Node delivers signals to the main thread's event loop only, so the thread cannot trap it.
 * - interrupt_request on the control channel: this thread owns the control socket, and hands
 *   every message (and its replies) through to the kernel's thread.
 *
 * Then, in order, as long as the cell still runs and the kernel's thread has not acted:
 * 1. mark the interrupt in the shared cell state, where the cell's next tfjs op sees it and
 *    throws an ordinary error (../runner/tfjs-stop.ts: clean, unlike steps 2 and 3, which can
 *    land inside tfjs's bookkeeping), and tell the kernel's thread (enough for a cell that
 *    waits: it rejects the cell's await);
 * 2. after GRACE_MS, if the cell's top level runs inside tslab's vm call, send SIGINT, which
 *    vm's breakOnSigint turns into an exception there;
 * 3. otherwise end the running JavaScript with V8's TerminateExecution through an inspector
 *    session, and tell the kernel's thread so it can repair what the termination dropped.
 *    (The kernel runs with --no-force-async-hooks-checks: a termination inside a timer
 *    callback would otherwise abort Node on its async-hooks bookkeeping.)
 * A cell still compiling is stopped by the engine once the compiler returns (cell-state.ts).
 */
import { spawn } from "node:child_process";
import { Session } from "node:inspector";
import { parentPort, workerData } from "node:worker_threads";
import { Router } from "zeromq";
import { ACK, CELL, INTERRUPT, LAST_SIGINT, PHASE, PHASE_COMPILING, PHASE_IN_VM, sigintClock } from "../runner/cell-state";
import { Signer } from "./wire";

export interface InterrupterData {
  state: Int32Array;
  /** Where to bind the control socket, or undefined to leave control to the kernel's thread. */
  controlAddress?: string;
  key: string;
  /** Trap SIGINT sent to the process group (the kernel under Jupyter). */
  watchSignals: boolean;
}

/** Kernel thread → interrupter. */
export type ToInterrupter = { type: "interrupt" } | { type: "send"; frames: Uint8Array[] } | { type: "close" };
/** Interrupter → kernel thread. */
export type FromInterrupter =
  | { type: "interrupt"; cell: number }
  | { type: "terminated"; cell: number }
  | { type: "control"; frames: Uint8Array[] };

/** How long SIGINT may take to show in LAST_SIGINT when the kernel's thread is free. */
const SIGNAL_SEEN_MS = 150;
/**
 * How long the cell has to stop by itself (its await rejected, or its next tfjs op throwing,
 * see ../runner/tfjs-stop.ts) before this thread sends SIGINT or terminates it.
 */
const GRACE_MS = 700;
const POLL_MS = 25;
/** Give up on a cell this long after its interrupt (something outside JavaScript holds it). */
const GIVE_UP_MS = 10_000;

const data = workerData as InterrupterData;
const state = data.state;
const port = parentPort!;
const post = (m: FromInterrupter) => port.postMessage(m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let inspector: Session | undefined;
function terminateKernelThread(): void {
  if (!inspector) {
    inspector = new Session();
    inspector.connectToMainThread();
  }
  inspector.post("Runtime.terminateExecution");
}

/** The cell being stopped, so that a second interrupt for it does not start a second escalation. */
let stopping = 0;

/** An interrupt_request (or a request from the kernel's thread): stop the cell running now. */
async function interrupt(): Promise<void> {
  const cell = Atomics.load(state, CELL);
  if (cell === 0 || cell === stopping) return;
  post({ type: "interrupt", cell });
  await escalate(cell, false);
}

/**
 * SIGINT, which the kernel's thread also received: if that thread is free it handles the
 * signal itself (and notes when in LAST_SIGINT), possibly before this thread reads its pipe and
 * while the next cell already runs, so this thread acts only if that thread has not seen it.
 */
async function signalled(): Promise<void> {
  const at = sigintClock();
  const cell = Atomics.load(state, CELL);
  if (cell === 0 || cell === stopping) return;
  const seen = () => Math.abs(Atomics.load(state, LAST_SIGINT) - at) < 1000 || Atomics.load(state, LAST_SIGINT) > at;
  for (let waited = 0; waited < SIGNAL_SEEN_MS; waited += POLL_MS) {
    if (seen() || Atomics.load(state, CELL) !== cell) return;
    await sleep(POLL_MS);
  }
  if (!seen()) await escalate(cell, true);
}

/** Steps 2 and 3 above, for as long as `cell` runs and the kernel's thread has not acted. */
async function escalate(cell: number, bySignal: boolean): Promise<void> {
  stopping = cell;
  Atomics.store(state, INTERRUPT, cell);
  const t0 = Date.now();
  let signalSent = bySignal;
  try {
    while (Date.now() - t0 < GIVE_UP_MS) {
      if (Atomics.load(state, CELL) !== cell || Atomics.load(state, ACK) === cell) return;
      const phase = Atomics.load(state, PHASE);
      if (Date.now() - t0 < GRACE_MS || phase === PHASE_COMPILING) {
        await sleep(POLL_MS);
        continue;
      }
      if (phase === PHASE_IN_VM) {
        if (!signalSent) process.kill(process.pid, "SIGINT");
        signalSent = true;
        await sleep(POLL_MS);
        continue;
      }
      terminateKernelThread();
      post({ type: "terminated", cell });
      return;
    }
  } finally {
    stopping = 0;
  }
}

/**
 * /bin/sh traps SIGINT (Jupyter signals the whole process group) and prints a line per signal.
 * It waits on a background sleep, which a non-interactive shell starts with SIGINT ignored, so
 * the signal reaches the trap at once; it ends within 5 s of the kernel.
 */
function watchSignals(): void {
  const script = 'trap "echo i" INT; while kill -0 $PPID 2>/dev/null; do sleep 5 & wait $!; done';
  const sh = spawn("/bin/sh", ["-c", script], { stdio: ["ignore", "pipe", "ignore"] });
  sh.on("error", () => undefined);
  sh.stdout.on("data", () => void signalled());
  sh.unref();
}

let control: Router | undefined;

async function serveControl(address: string): Promise<void> {
  control = new Router();
  const signer = new Signer(data.key);
  await control.bind(address);
  port.postMessage({ type: "bound" });
  port.on("message", (m: ToInterrupter) => {
    if (m.type === "send") void control?.send(m.frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength)));
  });
  for await (const frames of control) {
    if (control.closed) break;
    if (isInterruptRequest(frames, signer)) void interrupt();
    post({ type: "control", frames });
  }
}

/** True for a correctly signed interrupt_request (the kernel's thread decodes it fully again). */
function isInterruptRequest(frames: Buffer[], signer: Signer): boolean {
  const i = frames.findIndex((f) => f.toString() === "<IDS|MSG>");
  if (i < 0 || frames.length < i + 6) return false;
  const [signature, header, parent, metadata, content] = frames.slice(i + 1, i + 6).map((f) => f.toString());
  if (!signer.verify(signature, [header, parent, metadata, content])) return false;
  try {
    return JSON.parse(header).msg_type === "interrupt_request";
  } catch {
    return false;
  }
}

port.on("message", (m: ToInterrupter) => {
  if (m.type === "interrupt") void interrupt();
  if (m.type === "close") {
    // Let the thread end by itself: zeromq aborts the process if its socket is torn down
    // with the thread (worker.terminate()) while still open.
    control?.close();
    inspector?.disconnect();
    port.close();
  }
});
if (data.watchSignals) watchSignals();
if (data.controlAddress) {
  serveControl(data.controlAddress).catch((err) => {
    process.stderr.write(`rnnlab kernel: the control channel failed: ${(err as Error).message}\n`);
  });
}
