/**
 * Runs notebook cells in this process with tslab's TypeScript engine, and turns what they do
 * into nbformat outputs: printed text becomes `stream`, `display()` becomes `display_data`
 * (updates replace their output in place), a cell's last expression becomes `execute_result`
 * (with the rich mime bundle of rnnlab objects), and a failure becomes an `error` with ename,
 * evalue and traceback. Used by the headless course runner; no Jupyter needed.
 *
 * A cell that runs too long is interrupted: a watchdog thread sends this process SIGINT, which
 * stops synchronous code (vm's breakOnSigint) and rejects a pending top-level await.
 */
import { inspect, stripVTControlCharacters } from "node:util";
import { Worker } from "node:worker_threads";
import { SINK, toMimeBundle, type DisplayOptions, type DisplaySink, type MimeBundle } from "../rnnlab/display";
import { cellPosition } from "./cell-lines";
import { convertersWhileLoading } from "./converter-while-loading";
import { hasTopLevelForAwait } from "./quick-convert";
import { ACK, CELL, INTERRUPT, LAST_SIGINT, newCellState, PHASE, PHASE_ASYNC, PHASE_COMPILING, PHASE_IDLE, PHASE_IN_VM, sigintClock } from "./cell-state";
import { leaveCellScope, markTfjs, releaseStoppedCell, resetTfjs } from "./tfjs-reset";
import { stopTfjsOpsWhen } from "./tfjs-stop";
import { forwardRnnlabTypes, resolveRnnlabAnywhere } from "./rnnlab-anywhere";
import { shareTslabTimer } from "./tslab-timers";
import type { DataOutput, ErrorOutput, Output } from "./notebook";

interface TslabExecutor {
  execute(src: string): Promise<boolean>;
  interrupt(): void;
  close(): void;
}
interface TslabConverters {
  node: { close(): void; convert(prevDecl: string, src: string): { output?: string } };
  browser: { close(): void };
  /** In-thread converters return nothing; the checker thread resolves once it has ended. */
  close(): void | Promise<void>;
}

/** What a cell does, as it happens: the kernel forwards these to Jupyter at once. */
export type CellEvent =
  | { type: "output"; output: Output }
  | { type: "update"; displayId: string; output: DataOutput }
  | { type: "clear"; wait: boolean };

export interface ExecuteOptions {
  /** Interrupt the cell after this long; 0 for never. */
  timeoutMs?: number;
  onEvent?: (event: CellEvent) => void;
}

export interface CellOutcome {
  outputs: Output[];
  error?: ErrorOutput;
  timedOut: boolean;
  ms: number;
}

/**
 * The watchdog thread: SIGINT when the cell's time is up. SIGINT stops only the cell's top level
 * (tslab's vm call) and its awaits; a loop in a promise job after an await blocks the thread
 * for good. So if the cell still runs a second later outside the vm call and the compiler, the
 * thread ends its JavaScript with V8's TerminateExecution through an inspector session (the
 * kernel does the same for interrupts; see ../kernel/interrupter-thread.ts).
 */
const WATCHDOG = `
const { parentPort, workerData } = require("node:worker_threads");
const state = new Int32Array(workerData.state);
let timer = null;
let escalation = null;
function terminate(cell) {
  const { Session } = require("node:inspector");
  const session = new Session();
  session.connectToMainThread();
  session.post("Runtime.terminateExecution", () => session.disconnect());
  parentPort.postMessage({ terminated: cell });
}
parentPort.on("message", (m) => {
  clearTimeout(timer);
  clearInterval(escalation);
  if (!m.arm) return;
  timer = setTimeout(() => {
    const cell = Atomics.load(state, ${CELL});
    // A tfjs op then throws (tfjs-stop.ts); SIGINT stops the top level and pending awaits.
    Atomics.store(state, ${INTERRUPT}, cell);
    process.kill(process.pid, "SIGINT");
    const t0 = Date.now();
    escalation = setInterval(() => {
      if (Atomics.load(state, ${CELL}) !== cell) return clearInterval(escalation);
      const phase = Atomics.load(state, ${PHASE});
      if (Date.now() - t0 < 1000 || phase === ${PHASE_IN_VM} || phase === ${PHASE_COMPILING}) return;
      clearInterval(escalation);
      terminate(cell);
    }, 100);
  }, m.ms);
});`;

/** Plain-JSON copy of a bundle: strings stay strings, vega-lite specs stay objects. */
function jsonBundle(b: MimeBundle): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) out[k] = typeof v === "string" ? v : JSON.parse(JSON.stringify(v));
  if (out["text/plain"] === undefined) out["text/plain"] = "";
  return out;
}

/**
 * The stack frames that belong to cells or to the learner's own modules, without the engine's
 * and Node's. A cell's code runs wrapped on the line after tslab's prologue, so its line N is
 * reported by V8 as N + 1.
 */
/** The cell's frames of a stack, with positions in the cell's own lines (see cell-lines.ts). */
function cellFrames(e: Error, javascript: string | undefined, cell: string): string[] {
  const frames = String(e.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l));
  const mine = frames.filter((l) => !/node:|\/dist\/(runner|kernel)\/|tslab\/dist|node_modules\//.test(l) || /evalmachine/.test(l));
  // The line after the cell's JavaScript is tslab's wrapper call: not the learner's code.
  const inWrapper = (l: string) => {
    const m = /evalmachine\.<anonymous>:(\d+):(\d+)/.exec(l);
    return javascript !== undefined && m !== null && !cellPosition(javascript, cell, Number(m[1]), Number(m[2]));
  };
  return mine.filter((l) => !inWrapper(l)).map((l) =>
    l.replace(/evalmachine\.<anonymous>:(\d+):(\d+)/, (_, line, col) => {
      const at = javascript === undefined ? undefined : cellPosition(javascript, cell, Number(line), Number(col));
      if (!at) return `cell line ${Math.max(1, Number(line) - 1)}, column ${col}`;
      return at.column ? `cell line ${at.line}, column ${at.column}` : `cell line ${at.line}`;
    }),
  );
}

/** Where errors that come between cells go (the kernel: the latest cell); unset, to stderr. */
let lateErrorSink: ((error: ErrorOutput) => void) | undefined;
/** True while a cell runs: its captured stderr then shows late errors in that cell. */
let cellRunning = false;

function reportLate(what: string, reason: unknown): void {
  const text = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  if (cellRunning || !lateErrorSink) {
    console.error(`${what}:`, text);
    return;
  }
  const e = reason instanceof Error ? reason : undefined;
  const frames = e ? cellFrames(e, undefined, "") : [];
  lateErrorSink({ output_type: "error", ename: e?.name ?? "Error", evalue: e?.message ?? text, traceback: [`${what}: ${text}`, ...frames] });
}

function reportRejection(reason: unknown): void {
  reportLate("Unhandled promise rejection", reason);
}

function reportUncaught(err: Error): void {
  reportLate("Uncaught exception in a callback", err);
}

/** The JavaScript of the cell being compiled or run (one engine runs one cell at a time). */
let lastJavaScript: string | undefined;

/** What an interrupt that arrives while a cell compiles throws once the compiler returns. */
const INTERRUPTED_WHILE_COMPILING = "the cell was interrupted while it compiled";

export class CellEngine {
  private executor!: TslabExecutor;
  /** Made on the first cell with a timeout (the kernel never sets one); null when not wanted. */
  private watchdog: Worker | undefined;
  private outputs: Output[] = [];
  /** Every output that carries a display_id, so later updates can find it, in any cell. */
  private readonly byDisplayId = new Map<string, DataOutput[]>();
  private pending: Promise<void> = Promise.resolve();
  private clearOnNext = false;
  private lastValue: { value: unknown } | undefined;
  private failures: unknown[][] = [];
  private interrupted = false;
  private currentCode = "";
  private onEvent: (event: CellEvent) => void = () => undefined;
  private cellNumber = 0;
  /** True once another thread (interrupter, watchdog) has asked to stop the running cell. */
  private readonly interruptRequested = () => {
    const cell = Atomics.load(this.cellState, CELL);
    return cell !== 0 && Atomics.load(this.cellState, INTERRUPT) === cell;
  };

  private constructor(
    private readonly convs: TslabConverters,
    private readonly useWatchdog: boolean,
    /** Shared with threads that stop cells (see cell-state.ts); the same array the converter sees. */
    readonly cellState: Int32Array,
  ) {}

  private armWatchdog(message: { arm: true; ms: number } | { arm: false }): void {
    if (!this.useWatchdog) return;
    if (!this.watchdog) {
      this.watchdog = new Worker(WATCHDOG, { eval: true, workerData: { state: this.cellState.buffer } });
      this.watchdog.unref();
      this.watchdog.on("message", (m: { terminated?: number }) => {
        if (m.terminated) this.interruptCell(m.terminated, true);
      });
    }
    this.watchdog.postMessage(message);
  }

  /**
   * The TypeScript compiler takes a second or two to start; converters are shared by notebooks.
   * With `checkerThread`, it loads in a worker and cells that arrive before it is ready run
   * without type checking (converter-while-loading.ts): the kernel's first answer comes sooner.
   * The runner and the grader keep the plain converter, so every cell they run is type checked.
   * `watchdog: false` leaves timeouts to the caller, which sends SIGINT itself (the grader's
   * sandbox allows no threads); a cell it stops past its timeout is still a TimeoutError.
   */
  static create(options: { checkerThread?: boolean; watchdog?: boolean } = {}): CellEngine {
    const useWatchdog = options.watchdog ?? true;
    // A promise a cell forgot to await may reject after the cell ended. Node would end the
    // process (kernel, runner or grader) for it; print it instead, into the running cell if any.
    if (!process.listeners("unhandledRejection").includes(reportRejection)) process.on("unhandledRejection", reportRejection);
    // Likewise an error thrown later by a cell's timer or callback.
    if (!process.listeners("uncaughtException").includes(reportUncaught)) process.on("uncaughtException", reportUncaught);
    // A kernel installed for the user runs notebooks in any folder: "rnnlab" resolves there too.
    resolveRnnlabAnywhere();
    const state = newCellState();
    if (options.checkerThread) {
      // A compile in the checker thread is waited on in slices, so an interrupt need not wait for it.
      const stop = () => Atomics.load(state, CELL) !== 0 && Atomics.load(state, INTERRUPT) === Atomics.load(state, CELL);
      return new CellEngine(CellEngine.adaptConvert(convertersWhileLoading(stop), state), useWatchdog, state);
    }
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { createConverter } = require("tslab/dist/converter");
    shareTslabTimer(require.resolve("tslab/dist/converter"));
    forwardRnnlabTypes(require.resolve("tslab/dist/converter"));
    const node = createConverter();
    // Only `%browser` cells use the browser converter; building it costs as much as the node
    // one (a second of the kernel's start), so it is built on first use.
    let browser: { close(): void } | undefined;
    const convs = {
      node,
      get browser() {
        return (browser ??= createConverter({ isBrowser: true }));
      },
      close: () => (node.close(), browser?.close()),
    };
    return new CellEngine(CellEngine.adaptConvert(convs as TslabConverters, state), useWatchdog, state);
  }

  /**
   * Wraps tslab's converter: keeps the JavaScript it makes of each cell (to map an error's stack
   * to the cell's lines), and marks a cell with a top-level `for await` as async, which tslab
   * itself misses. Compiling is a phase of its own in `state`: an interrupt cannot stop the
   * compiler, so it is honoured when the compiler returns, before the cell runs.
   */
  private static adaptConvert<C extends { node: { convert(prevDecl: string, src: string): { output?: string } } }>(convs: C, state: Int32Array): TslabConverters {
    const convert = convs.node.convert.bind(convs.node);
    convs.node.convert = (prevDecl: string, src: string) => {
      const phase = Atomics.exchange(state, PHASE, PHASE_COMPILING);
      let r: { output?: string; hasToplevelAwait?: boolean };
      try {
        r = convert(prevDecl, src) as { output?: string; hasToplevelAwait?: boolean };
      } finally {
        Atomics.store(state, PHASE, phase);
      }
      const cell = Atomics.load(state, CELL);
      if (cell !== 0 && Atomics.load(state, INTERRUPT) === cell) throw new Error(INTERRUPTED_WHILE_COMPILING);
      lastJavaScript = r.output;
      if (r.output && !r.hasToplevelAwait && hasTopLevelForAwait(src)) r.hasToplevelAwait = true;
      return r;
    };
    return convs as unknown as TslabConverters;
  }

  /** A fresh namespace (a new notebook) rooted at `cwd`, where `import "rnnlab"` resolves. */
  startNotebook(cwd: string): void {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { createExecutor } = require("tslab/dist/executor");
    const reporter = {
      log: (value: unknown) => (this.lastValue = { value }),
      error: (...args: unknown[]) => this.failures.push(args),
    };
    this.executor = createExecutor(cwd, Object.create(this.convs, { close: { value: () => undefined } }), reporter);
    this.byDisplayId.clear();
    // A new sink per notebook: plots that inline a large bundle once per sink inline it again.
    this.installSink();
  }

  private installSink(): void {
    const sink: DisplaySink = {
      display: (bundle, options: DisplayOptions = {}) => {
        // Keep outputs in call order even though SVG rendering resolves later.
        this.pending = this.pending.then(async () => {
          let b: MimeBundle;
          try {
            b = await bundle;
          } catch (err) {
            this.push({ output_type: "stream", name: "stderr", text: `display failed: ${(err as Error).message}\n` });
            return;
          }
          const out: DataOutput = { output_type: "display_data", data: jsonBundle(b), metadata: (options.metadata as Record<string, unknown>) ?? {} };
          const id = options.displayId;
          if (options.update && id) {
            for (const o of this.byDisplayId.get(id) ?? []) o.data = out.data;
            this.onEvent({ type: "update", displayId: id, output: out });
            return;
          }
          if (id) {
            out.transient = { display_id: id };
            this.byDisplayId.set(id, [...(this.byDisplayId.get(id) ?? []), out]);
          }
          this.push(out);
        });
      },
      clearOutput: (wait = false) => {
        this.pending = this.pending.then(() => {
          if (wait) this.clearOnNext = true;
          else this.outputs.length = 0;
          this.onEvent({ type: "clear", wait });
        });
      },
    };
    (globalThis as Record<symbol, unknown>)[SINK] = sink;
  }

  private push(o: Output): void {
    if (this.clearOnNext) {
      this.outputs.length = 0;
      this.clearOnNext = false;
    }
    this.onEvent({ type: "output", output: o });
    const last = this.outputs[this.outputs.length - 1];
    if (o.output_type === "stream" && last?.output_type === "stream" && last.name === o.name) {
      last.text = (last.text as string) + (o.text as string);
      return;
    }
    this.outputs.push(o);
  }

  /** Runs one cell; never throws for the cell's own failures, which come back as `error`. */
  async execute(code: string, options: ExecuteOptions = {}): Promise<CellOutcome> {
    const timeoutMs = options.timeoutMs ?? 0;
    this.onEvent = options.onEvent ?? (() => undefined);
    this.outputs = [];
    this.failures = [];
    this.lastValue = undefined;
    this.currentCode = code;
    lastJavaScript = undefined;
    this.interrupted = false;
    const cell = ++this.cellNumber;
    Atomics.store(this.cellState, CELL, cell);
    const tfjsBefore = markTfjs();
    // Once tfjs is loaded (by an earlier cell), an interrupt stops this cell at its next op.
    stopTfjsOpsWhen(this.interruptRequested);
    const t0 = performance.now();
    const restore = this.captureStreams();
    cellRunning = true;
    const onSigint = () => {
      Atomics.store(this.cellState, LAST_SIGINT, sigintClock());
      this.interrupted = true;
      this.executor.interrupt();
    };
    process.on("SIGINT", onSigint);
    // A message to the watchdog thread costs about 0.2 ms: only when there is a timeout.
    if (timeoutMs > 0) this.armWatchdog({ arm: true, ms: timeoutMs });
    let ok = false;
    try {
      // The top level runs inside this call, under tslab's vm.runInThisContext (breakOnSigint).
      Atomics.store(this.cellState, PHASE, PHASE_IN_VM);
      const running = this.executor.execute(code);
      Atomics.store(this.cellState, PHASE, PHASE_ASYNC);
      ok = await running;
      const last = this.lastValue as { value: unknown } | undefined;
      if (ok && last) await this.showResult(last.value);
      await this.pending;
    } catch (err) {
      ok = false;
      this.failures.push([err]);
    } finally {
      if (timeoutMs > 0) this.armWatchdog({ arm: false });
      process.off("SIGINT", onSigint);
      restore();
      cellRunning = false;
      Atomics.store(this.cellState, PHASE, PHASE_IDLE);
      Atomics.store(this.cellState, CELL, 0);
    }
    // A cell that failed or was stopped may have left tfjs's tape and scopes open; a stopped
    // one also tensors it made outside any tidy (see tfjs-reset.ts).
    if (!ok) resetTfjs(tfjsBefore);
    const ms = performance.now() - t0;
    // SIGINT taken by vm's breakOnSigint never reaches process.on("SIGINT"): note it here.
    if (this.failures.some((f) => /Script execution interrupted/.test(String((f[0] as Error)?.message ?? f[0])))) {
      Atomics.store(this.cellState, LAST_SIGINT, sigintClock());
    }
    const interrupted = !ok && (this.interrupted || this.failures.some((f) => /interrupted/i.test(String((f[0] as Error)?.message ?? f[0]))));
    // The watchdog and a user's interrupt both arrive as SIGINT; the clock tells them apart.
    const timedOut = interrupted && timeoutMs > 0 && ms >= timeoutMs;
    if (interrupted) releaseStoppedCell(tfjsBefore, Object.values((this.executor as unknown as { locals?: object }).locals ?? {}));
    else leaveCellScope(tfjsBefore);
    const error = ok ? undefined : this.errorOutput(interrupted, timedOut, timeoutMs);
    if (error) this.outputs.push(error);
    this.onEvent = () => undefined;
    return { outputs: this.outputs, error, timedOut, ms };
  }

  private async showResult(value: unknown): Promise<void> {
    const rich = toMimeBundle(value);
    const data = rich ? jsonBundle(await rich) : { "text/plain": stripVTControlCharacters(inspect(value, { colors: false, depth: 4 })) };
    this.push({ output_type: "execute_result", data, metadata: {}, execution_count: null });
  }

  private errorOutput(interrupted: boolean, timedOut: boolean, timeoutMs: number): ErrorOutput {
    if (timedOut) {
      const evalue = `the cell ran longer than ${(timeoutMs / 1000).toFixed(0)} s and was interrupted`;
      return { output_type: "error", ename: "TimeoutError", evalue, traceback: [`TimeoutError: ${evalue}`] };
    }
    if (interrupted) {
      const evalue = "the cell was interrupted";
      return { output_type: "error", ename: "KeyboardInterrupt", evalue, traceback: [`KeyboardInterrupt: ${evalue}`] };
    }
    const first = this.failures[0];
    if (!first) return { output_type: "error", ename: "Error", evalue: "the cell failed", traceback: ["Error: the cell failed"] };
    if (typeof first[0] === "string" && first[0].startsWith("%s%d:%d")) {
      // TypeScript diagnostics: "%s%d:%d - %s", file, line, column, message; one per failure.
      const lines = this.failures.map((f) => `${f[1]}${f[2]}:${f[3]} - ${f[4]}`);
      return { output_type: "error", ename: "TypeScriptError", evalue: lines.join("; "), traceback: lines };
    }
    const e = first[0] as Error;
    if (e instanceof Error || (e && typeof e === "object" && "message" in e)) {
      return { output_type: "error", ename: e.name ?? "Error", evalue: String(e.message), traceback: [`${e.name}: ${e.message}`, ...cellFrames(e, lastJavaScript, this.currentCode)] };
    }
    const text = first.map(String).join(" ");
    return { output_type: "error", ename: "Error", evalue: text, traceback: [text] };
  }

  /** Sends what the cell prints to its outputs instead of the terminal. */
  private captureStreams(): () => void {
    const out = process.stdout.write;
    const err = process.stderr.write;
    const capture = (name: "stdout" | "stderr") =>
      ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        this.push({ output_type: "stream", name, text: typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8") });
        const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
        cb?.();
        return true;
      }) as typeof process.stdout.write;
    process.stdout.write = capture("stdout");
    process.stderr.write = capture("stderr");
    return () => {
      process.stdout.write = out;
      process.stderr.write = err;
    };
  }

  /**
   * Errors that happen while no cell runs (a timer's throw, a promise rejected late) go to
   * `sink` instead of the process's stderr; during a cell they print into it, as before.
   */
  reportLateErrorsTo(sink: (error: ErrorOutput) => void): void {
    lateErrorSink = sink;
  }

  /** Stops the running cell, as SIGINT does. */
  interrupt(): void {
    this.interrupted = true;
    this.executor?.interrupt();
  }

  /**
   * Stops cell number `cell` if it is still the one running (an interrupt asked for by another
   * thread arrives here late, and must not stop the next cell). `terminated`: that thread has
   * already ended the cell's JavaScript with a V8 termination, which drops the promise jobs
   * queued at that moment, among them the engine's own chain of pending displays.
   */
  interruptCell(cell: number, terminated = false): void {
    Atomics.store(this.cellState, ACK, cell);
    if (terminated) this.pending = Promise.resolve();
    if (cell !== 0 && Atomics.load(this.cellState, CELL) === cell) this.interrupt();
  }

  complete(code: string, cursor: number): { start: number; end: number; candidates: string[] } {
    return (this.executor as unknown as { complete(s: string, p: number): { start: number; end: number; candidates: string[] } }).complete(code, cursor);
  }

  /** Quick info (type and docs) for the symbol at `cursor`, or undefined. */
  inspect(code: string, cursor: number): string | undefined {
    const info = (this.executor as unknown as { inspect(s: string, p: number): { displayParts?: { text: string }[]; documentation?: { text: string }[] } | undefined }).inspect(code, cursor);
    if (!info) return undefined;
    const sig = (info.displayParts ?? []).map((p) => p.text).join("");
    const doc = (info.documentation ?? []).map((p) => p.text).join("");
    return doc ? `${sig}\n\n${doc}` : sig;
  }

  /** Frees the compiler; resolves once the engine's threads have ended. */
  async close(): Promise<void> {
    this.executor?.close();
    await Promise.all([this.convs.close(), this.watchdog?.terminate()]);
  }
}
