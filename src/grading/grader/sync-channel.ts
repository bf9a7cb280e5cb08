/**
 * A blocking request/response channel between the test process and the student's process,
 * over two named pipes (FIFOs) that the grader makes for each submission.
 *
 * Blocking, because a test calls a student's function as an ordinary synchronous call
 * (`check.close(rnnCellForward(x, h, w), …)`) and must get its value back before the next
 * statement. Each frame is a 4-byte length and a JSON message. A call may call back (a test
 * passes a decoder step to `greedyDecode`), so while one side waits for its answer it also
 * serves the other side's calls: the two processes take turns on one logical stack.
 *
 * The channel trusts nothing it reads: frames are bounded, messages are checked, values are
 * decoded by remote-value.ts; anything else is a ChannelError for the call that was waiting.
 */
import * as fs from "node:fs";
import type { ChannelPaths } from "./protocol";
import { decodeValue, encodeValue, tensorsIn, type Encoded, type FunctionTable, type TensorLib } from "./remote-value";

type Tensor = import("@tensorflow/tfjs-core").Tensor;

export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

export class ChannelError extends Error {
  override name = "ChannelError";
}
export class ChannelClosedError extends ChannelError {
  override name = "ChannelClosedError";
}

/**
 * A call's target: one of the student's graded names (called, read with `get`, differentiated
 * with `vjp`, or constructed with `construct`), a function handle from this call, or a method or
 * property of an instance the student's process handed out.
 */
export type Target =
  | { name: string; get?: boolean; vjp?: boolean; construct?: boolean }
  | { fn: number }
  | { obj: number; method?: string; prop?: string };

export type Message =
  | { t: "call"; target: Target; args: Encoded[]; profile?: boolean }
  | { t: "return"; value: Encoded; leaked: number; disposed: number[]; kernels?: number }
  | { t: "throw"; ename: string; message: string }
  | { t: "advance"; to: number }
  | { t: "ahead"; to: number }
  | { t: "ready"; to: number }
  | { t: "finish" };

/** What a side does when the other calls it; throws become `throw` messages. */
export type CallHandler = (target: Target, args: unknown[]) => unknown;

const clip = (s: unknown, n: number) => String(s ?? "").slice(0, n);

function validMessage(m: unknown): m is Message {
  if (!m || typeof m !== "object") return false;
  const o = m as Record<string, unknown>;
  switch (o.t) {
    case "call": {
      const target = o.target as Record<string, unknown> | undefined;
      const ok = !!target && (typeof target.name === "string" || Number.isSafeInteger(target.fn) || Number.isSafeInteger(target.obj));
      return ok && Array.isArray(o.args);
    }
    case "return":
      return "value" in o && Number.isSafeInteger(o.leaked) && (o.kernels === undefined || (Number.isSafeInteger(o.kernels) && (o.kernels as number) >= 0)) && Array.isArray(o.disposed) && o.disposed.length <= 10_000 && o.disposed.every((i) => Number.isSafeInteger(i));
    case "throw":
      return typeof o.ename === "string" && typeof o.message === "string";
    case "advance":
    case "ahead":
    case "ready":
      return Number.isSafeInteger(o.to);
    case "finish":
      return true;
    default:
      return false;
  }
}

export class SyncChannel {
  private readonly exported = new Map<number, (...args: unknown[]) => unknown>();
  private nextId = 1;
  private depth = 0;
  private closed = false;
  /** The student's side: instances it handed out, for the rest of the submission. */
  private readonly instances: object[] = [];
  private readonly functions: FunctionTable = {
    exportFunction: (f) => {
      const id = this.nextId++;
      this.exported.set(id, f);
      return id;
    },
    importFunction: (id) => (...args: unknown[]) => this.call({ fn: id }, args),
  };

  constructor(
    private readonly readFd: number,
    private readonly writeFd: number,
    private readonly tf: TensorLib,
    /**
     * The test process mirrors the student's tensor bookkeeping: a tensor a student's function
     * leaves behind is one more tensor here, and an argument it disposed is disposed here, so
     * a test's tf.memory() and isDisposed checks see what they would see in the notebook. It
     * also gets stand-ins for the student's objects, which only the student's side hands out.
     */
    private readonly side: "tests" | "student",
    /** Serves the other side's calls to a graded name (the student's side only). */
    private readonly onNamedCall?: CallHandler,
  ) {
    if (side === "tests") {
      // The test side: an instance of a student's class is a stand-in that forwards its methods.
      const ids = new WeakMap<object, number>();
      this.functions.importInstance = (id, className, methods) => {
        const known = new Set(methods);
        const standIn = new Proxy(Object.create(null) as object, {
          get: (_, key) => {
            if (typeof key !== "string" || key === "then") return undefined;
            if (known.has(key)) return (...args: unknown[]) => this.call({ obj: id, method: key }, args);
            return this.call({ obj: id, prop: key }, []);
          },
          set: () => {
            throw new TypeError(`a ${className} made by the student's code cannot be changed from a test; call its methods`);
          },
        });
        ids.set(standIn, id);
        return standIn;
      };
      this.functions.refOf = (o) => ids.get(o);
    } else {
      this.functions.exportInstance = (o) => {
        this.instances.push(o);
        return { id: this.instances.length - 1, className: String(Object.getPrototypeOf(o)?.constructor?.name ?? "Object").slice(0, 100), methods: methodsOf(o) };
      };
      this.functions.instanceOf = (id) => {
        if (!(id >= 0 && id < this.instances.length)) throw new ChannelError(`no object with handle ${id}`);
        return this.instances[id];
      };
    }
  }

  /** Opens both FIFOs; the two sides open them in the same order, so neither waits forever on the other. */
  static open(paths: ChannelPaths, side: "tests" | "student", tf: TensorLib, onNamedCall?: CallHandler): SyncChannel {
    if (side === "tests") {
      const w = fs.openSync(paths.toStudent, "w");
      const r = fs.openSync(paths.toTests, "r");
      return new SyncChannel(r, w, tf, side, onNamedCall);
    }
    const r = fs.openSync(paths.toStudent, "r");
    const w = fs.openSync(paths.toTests, "w");
    return new SyncChannel(r, w, tf, side, onNamedCall);
  }

  send(m: Message): void {
    if (this.closed) throw new ChannelClosedError("the other process has ended");
    const body = Buffer.from(JSON.stringify(m), "utf8");
    if (body.length > MAX_FRAME_BYTES) throw new ChannelError(`a message of ${body.length} bytes (at most ${MAX_FRAME_BYTES})`);
    const frame = Buffer.alloc(4 + body.length);
    frame.writeUInt32LE(body.length, 0);
    body.copy(frame, 4);
    let off = 0;
    try {
      while (off < frame.length) off += fs.writeSync(this.writeFd, frame, off, frame.length - off);
    } catch (err) {
      this.closed = true;
      throw new ChannelClosedError(`the other process has ended (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
  }

  private readExact(n: number): Buffer {
    const buf = Buffer.alloc(n);
    let off = 0;
    while (off < n) {
      let got: number;
      try {
        got = fs.readSync(this.readFd, buf, off, n - off, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EAGAIN") continue;
        got = 0;
      }
      if (got === 0) {
        this.closed = true;
        throw new ChannelClosedError("the other process has ended");
      }
      off += got;
    }
    return buf;
  }

  /** The next message; blocks until it arrives. */
  receive(): Message {
    if (this.closed) throw new ChannelClosedError("the other process has ended");
    const length = this.readExact(4).readUInt32LE(0);
    if (length > MAX_FRAME_BYTES) {
      this.closed = true;
      throw new ChannelError(`a message of ${length} bytes was announced (at most ${MAX_FRAME_BYTES})`);
    }
    let m: unknown;
    try {
      m = JSON.parse(this.readExact(length).toString("utf8"));
    } catch (err) {
      if (err instanceof ChannelError) throw err;
      this.closed = true;
      throw new ChannelError("a message that is not JSON");
    }
    if (!validMessage(m)) {
      this.closed = true;
      throw new ChannelError("a malformed message");
    }
    return m;
  }

  /**
   * Answers one call from the other side. The tensors made here for its arguments, and the new
   * ones returned (the caller gets copies), are disposed once the answer is encoded; what is
   * left over is the function's own leak, reported with the answer.
   */
  serveCall(m: Extract<Message, { t: "call" }>): void {
    const tf = this.tf;
    const before = tf.memory().numTensors;
    const firstNewId = nextTensorId(tf);
    const created: Tensor[] = [];
    let kernels: number | undefined;
    let reply: Message;
    try {
      const args = m.args.map((a, i) => decodeValue(a, tf, this.functions, `argument ${i + 1}`, created));
      let result: unknown;
      const counting = m.profile ? countKernels(tf) : undefined;
      try {
        result = this.answer(m, args);
      } finally {
        kernels = counting?.();
      }
      if (result && typeof (result as Promise<unknown>).then === "function") {
        throw new ChannelError("the function returned a Promise; graded functions must return their value synchronously");
      }
      const value = encodeValue(result, tf, this.functions, "the returned value");
      const disposed = created.flatMap((t, i) => (t.isDisposed ? [i] : []));
      for (const t of tensorsIn(result, tf)) if (t.id >= firstNewId && !(t instanceof tf.Variable)) t.dispose();
      tf.dispose(created);
      reply = { t: "return", value, disposed, leaked: tf.memory().numTensors - before, kernels };
    } catch (err) {
      tf.dispose(created);
      const e = err as Error;
      reply = { t: "throw", ename: clip(e?.name ?? "Error", 100), message: clip(e?.message ?? err, 2000) };
    }
    this.send(reply);
  }

  /** Runs what a call names: a function handle, an instance's method or property, or a graded name. */
  private answer(m: Extract<Message, { t: "call" }>, args: unknown[]): unknown {
    if ("fn" in m.target) {
      const f = this.exported.get(m.target.fn);
      if (!f) throw new ChannelError(`no function with handle ${m.target.fn} in this call`);
      return f(...args);
    }
    if ("obj" in m.target) {
      if (!this.functions.instanceOf) throw new ChannelError("no objects are served here");
      const o = this.functions.instanceOf(m.target.obj) as Record<string, unknown>;
      const { method, prop } = m.target;
      if (typeof method !== "string") return o[String(prop)];
      const f = o[method];
      if (typeof f !== "function") throw new TypeError(`${method} is not a method of this object`);
      return (f as (...x: unknown[]) => unknown).apply(o, args);
    }
    if (!this.onNamedCall) throw new ChannelError(`calls by name are not served here (${clip(m.target.name, 80)})`);
    return this.onNamedCall(m.target, args);
  }

  /** Calls the other side and waits for its value, serving its calls back in the meantime. */
  call(target: Target, args: unknown[]): unknown {
    this.depth++;
    try {
      const encoded = args.map((a, i) => encodeValue(a, this.tf, this.functions, `argument ${i + 1}`));
      const argTensors = tensorsIn(args, this.tf);
      const profiling = this.side === "tests" && this.tf.engine().state.profiling;
      this.send({ t: "call", target, args: encoded, ...(profiling ? { profile: true } : {}) });
      for (;;) {
        const m = this.receive();
        if (m.t === "call") {
          this.serveCall(m);
          continue;
        }
        if (m.t === "return") {
          const value = decodeValue(m.value, this.tf, this.functions, "the returned value");
          if (this.side === "tests") {
            for (const i of m.disposed) argTensors[i]?.dispose();
            for (let k = 0; k < Math.min(m.leaked, 100_000); k++) this.tf.scalar(0);
            if (profiling && m.kernels) mirrorKernels(this.tf, m.kernels);
          }
          return value;
        }
        if (m.t === "throw") throw remoteError(m.ename, m.message);
        this.closed = true;
        throw new ChannelError(`expected the call's answer, got "${m.t}"`);
      }
    } finally {
      // Function handles live for one outermost call.
      if (--this.depth === 0) this.exported.clear();
    }
  }

  close(): void {
    this.closed = true;
    for (const fd of [this.readFd, this.writeFd]) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
    }
  }
}

/** An error raised by the other side, rebuilt here with its name and message only. */
export function remoteError(ename: string, message: string): Error {
  const e = new Error(message);
  e.name = /^[A-Za-z_$][\w$]{0,60}$/.test(ename) ? ename : "Error";
  return e;
}

/** The names of an instance's methods: its own and its classes' (not Object's). */
function methodsOf(o: object): string[] {
  const names = new Set<string>();
  for (let p: object | null = o; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const key of Object.getOwnPropertyNames(p)) {
      if (key === "constructor" || names.size >= 500) continue;
      const d = Object.getOwnPropertyDescriptor(p, key);
      if (d && "value" in d && typeof d.value === "function") names.add(key.slice(0, 100));
    }
  }
  return [...names];
}

/** The id the next tensor will get: tensors with this id or more are made by the call. */
function nextTensorId(tf: TensorLib): number {
  // tfjs 4's engine numbers tensors in order; its counter is private, so read it without making a tensor if it is there.
  const engine = tf.engine() as unknown as { nextTensorId?: () => number };
  if (typeof engine.nextTensorId === "function") return engine.nextTensorId();
  const t = tf.scalar(0);
  t.dispose();
  return t.id + 1;
}

type KernelRecord = Record<string, unknown>;

/**
 * Counts the tfjs kernels a call runs (what tf.profile lists), for a test that profiles a
 * student's function: starts counting, and returns a function that stops and gives the count.
 */
function countKernels(tf: TensorLib): () => number {
  const state = tf.engine().state;
  const saved = { profiling: state.profiling, kernels: state.activeProfile.kernels };
  state.profiling = true;
  state.activeProfile.kernels = [];
  return () => {
    const n = state.activeProfile.kernels.length;
    state.profiling = saved.profiling;
    state.activeProfile.kernels = saved.kernels;
    return n;
  };
}

/** Adds `n` kernel records to the test process's running tf.profile, one per kernel the student's call ran. */
function mirrorKernels(tf: TensorLib, n: number): void {
  const state = tf.engine().state;
  for (let k = 0; k < Math.min(n, 1_000_000); k++) {
    const record: KernelRecord = {
      name: "(a kernel run in the student's process)", bytesAdded: 0, totalBytesSnapshot: state.numBytes, tensorsAdded: 0,
      totalTensorsSnapshot: state.numTensors, inputShapes: [], outputShapes: [], kernelTimeMs: 0, extraInfo: "",
    };
    (state.activeProfile.kernels as unknown as KernelRecord[]).push(record);
  }
}
