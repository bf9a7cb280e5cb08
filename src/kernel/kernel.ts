/**
 * The rnnlab kernel: Jupyter's messaging protocol over zeromq, one handler per message type
 * (after ipykernel's kernelbase.py), running TypeScript cells with the engine the course
 * runner uses (../runner/engine.ts, on tslab's compiler and executor).
 *
 * Shell requests run one at a time, in arrival order. A failing cell aborts the execute
 * requests queued behind it only when it asked to (stop_on_error), as the spec says; nothing
 * else aborts. A cell's own error never ends the kernel.
 */
import { Reply, Router, XPublisher } from "zeromq";
import { STDIN, StdinNotImplementedError, type StdinChannel } from "../rnnlab/input";
import { LAST_SIGINT, sigintClock } from "../runner/cell-state";
import { CellEngine, type CellEvent } from "../runner/engine";
import type { DataOutput, ErrorOutput, Output } from "../runner/notebook";
import { exitProcess, guardProcessExit } from "./exit-guard";
import { Interrupter } from "./interrupter";
import { isComplete } from "./is-complete";
import { StreamBudget } from "./stream-budget";
import { decode, encode, PROTOCOL_VERSION, Signer, type ConnectionInfo, type Message } from "./wire";

type Content = Record<string, unknown>;
type Handler = (msg: Message, reply: (type: string, content: Content) => Promise<void>) => Promise<void>;
/** A socket replies go out on: the shell Router, or the control channel relayed by the interrupter. */
interface ReplySocket { send(frames: Buffer[]): Promise<void> }

// The TypeScript that tslab compiles cells with (its dependency, resolved from here).
const TS_VERSION: string = require("@tslab/typescript-for-tslab/package.json").version;

export class Kernel {
  private readonly signer: Signer;
  private readonly session = crypto.randomUUID();
  private readonly shell = new Router();
  /**
   * Owns the control socket and stops cells that block this thread (interrupter-thread.ts).
   * Not awaited at start: kernel_info (shell) need not wait for the thread to load zeromq.
   */
  private interrupter!: Promise<Interrupter>;
  private readonly stdin = new Router();
  // XPUB rather than PUB: it tells us when a client subscribes (see welcome()).
  private readonly iopub = new XPublisher({ verbosity: "allSubs" });
  private readonly hb = new Reply();
  /** Made in start(), so its type checker loads in a worker while the first replies go out. */
  private engine!: CellEngine;
  private notebookStarted = false;
  /** The header of the latest execute request, the parent of errors that come after it ended. */
  private lastExecute: Message["header"] | undefined;
  private executionCount = 0;
  /** [session, line, input, text/plain of the result or null] for this session. */
  private readonly history: [number, number, string, string | null][] = [];
  private readonly queue: { msg: Message; socket: ReplySocket }[] = [];
  private busy = false;
  /** Run once the current request's idle status has been sent. */
  private readonly afterIdle: (() => void)[] = [];
  /** Resolves the `input()` waiting for the front end's input_reply. */
  private pendingInput: ((value: string) => void) | undefined;
  /** Sends on one zeromq socket must not overlap. */
  private sending = new Map<object, Promise<void>>();
  private readonly handlers: Record<string, Handler> = {
    kernel_info_request: (m, r) => this.kernelInfo(m, r),
    execute_request: (m, r) => this.execute(m, r),
    complete_request: (m, r) => this.complete(m, r),
    inspect_request: (m, r) => this.inspect(m, r),
    is_complete_request: (m, r) => this.isComplete(m, r),
    history_request: (m, r) => this.historyRequest(m, r),
    comm_info_request: (m, r) => r("comm_info_reply", { status: "ok", comms: {} }),
    comm_open: async () => undefined,
    comm_msg: async () => undefined,
    comm_close: async () => undefined,
    shutdown_request: (m, r) => this.shutdown(m, r),
    interrupt_request: (m, r) => this.interrupt(m, r),
  };

  constructor(private readonly info: ConnectionInfo) {
    this.signer = new Signer(info.key);
  }

  private address(port: number): string {
    const sep = this.info.transport === "ipc" ? "-" : ":";
    return `${this.info.transport}://${this.info.ip}${sep}${port}`;
  }

  async start(): Promise<void> {
    this.engine = CellEngine.create({ checkerThread: true });
    guardProcessExit();
    // An error after its cell ended (a timer's throw, a late rejection) goes to the latest
    // cell, as ipykernel sends output to the latest parent; the front end shows it there.
    this.engine.reportLateErrorsTo((e) => {
      if (this.lastExecute) void this.publish("error", { ename: e.ename, evalue: e.evalue, traceback: e.traceback }, this.lastExecute);
      else process.stderr.write(`${e.traceback.join("\n")}\n`);
    });
    this.interrupter = Interrupter.start(
      { state: this.engine.cellState, controlAddress: this.address(this.info.control_port), key: this.info.key, watchSignals: true },
      {
        interrupt: (cell, terminated) => {
          // A termination drops the promise jobs queued at that moment, maybe some of our
          // sends': start the chains afresh rather than wait on them forever.
          if (terminated) this.sending = new Map();
          this.engine.interruptCell(cell, terminated);
        },
        control: (frames) => {
          const msg = decode(frames, this.signer);
          if (msg) void this.interrupter.then((i) => this.dispatch(msg, i.control));
        },
      },
    );
    this.interrupter.catch(() => undefined);
    await Promise.all([
      this.shell.bind(this.address(this.info.shell_port)),
      this.stdin.bind(this.address(this.info.stdin_port)),
      this.iopub.bind(this.address(this.info.iopub_port)),
      this.hb.bind(this.address(this.info.hb_port)),
    ]);
    // Jupyter sends SIGINT to interrupt; between cells it must not end the kernel. The time is
    // noted for the interrupter thread, which sees the same signal (see interrupter-thread.ts).
    process.on("SIGINT", () => Atomics.store(this.engine.cellState, LAST_SIGINT, sigintClock()));
    void this.heartbeat();
    void this.listen(this.shell);
    void this.listenStdin();
    void this.welcome();
    await this.status("starting", {});
  }

  /**
   * The type checker takes a second or two to load, in a worker started with the kernel. The
   * executor (which loads TypeScript's parser here) starts after the first replies go out.
   */
  private engineFor(): CellEngine {
    if (!this.notebookStarted) {
      this.engine.startNotebook(process.cwd());
      this.notebookStarted = true;
    }
    return this.engine;
  }

  private async heartbeat(): Promise<void> {
    for await (const frames of this.hb) await this.hb.send(frames);
  }

  private async listen(socket: Router): Promise<void> {
    for await (const frames of socket) {
      const msg = decode(frames as Buffer[], this.signer);
      if (!msg) continue;
      const type = msg.header.msg_type;
      if (type === "interrupt_request") {
        // Not queued behind the cell it is meant to stop (an old front end's shell interrupt).
        void this.interrupter.then((i) => i.interrupt());
        void this.dispatch(msg, socket);
      }
      else {
        this.queue.push({ msg, socket });
        void this.drain();
      }
    }
  }

  /**
   * A client that has just subscribed to iopub is told the kernel is idle. A fast
   * kernel answers kernel_info before a new client's subscription has arrived, so the reply's
   * busy/idle are lost to it; jupyter_client's wait_for_ready then sees no iopub message within
   * 0.2 s and starts over. (JEP 65's iopub_welcome solves this in newer protocol versions.)
   */
  private async welcome(): Promise<void> {
    for await (const [frame] of this.iopub) {
      // While a request runs, its own idle status will follow anyway.
      if (frame[0] === 1 && !this.busy) void this.status("idle", {});
    }
  }

  private async listenStdin(): Promise<void> {
    for await (const frames of this.stdin) {
      const msg = decode(frames as Buffer[], this.signer);
      if (msg?.header.msg_type !== "input_reply") continue;
      const resolve = this.pendingInput;
      this.pendingInput = undefined;
      resolve?.(String((msg.content as { value?: unknown }).value ?? ""));
    }
  }

  /**
   * What `input()` uses while `msg` runs: an input_request on stdin, addressed like the execute
   * request and parented to it, as the spec asks; an error when the front end said allow_stdin false.
   */
  private stdinChannel(msg: Message, allowed: boolean): StdinChannel {
    return async (prompt, password) => {
      if (!allowed) throw new StdinNotImplementedError("input: this front end does not take input (its execute request has allow_stdin false)");
      const answer = new Promise<string>((resolve) => (this.pendingInput = resolve));
      await this.send(this.stdin, encode(this.signer, this.session, "input_request", { prompt, password }, msg.header, msg.ids));
      return answer;
    };
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) await this.dispatch(next.msg, next.socket);
    } finally {
      this.busy = false;
    }
  }

  private send(socket: ReplySocket | XPublisher, frames: Buffer[]): Promise<void> {
    const s = socket;
    const p = (this.sending.get(socket) ?? Promise.resolve()).then(() => s.send(frames)).catch(() => undefined);
    this.sending.set(socket, p);
    return p;
  }

  private publish(type: string, content: Content, parent: Message["header"] | Record<string, never>): Promise<void> {
    return this.send(this.iopub, encode(this.signer, this.session, type, content, parent, [Buffer.from(`kernel.${type}`)]));
  }

  private status(state: "busy" | "idle" | "starting", parent: Message["header"] | Record<string, never>): Promise<void> {
    return this.publish("status", { execution_state: state }, parent);
  }

  private async dispatch(msg: Message, socket: ReplySocket): Promise<void> {
    const type = msg.header.msg_type;
    const handler = this.handlers[type];
    const reply = (replyType: string, content: Content) => this.send(socket, encode(this.signer, this.session, replyType, content, msg.header, msg.ids));
    // Awaited: once zeromq has taken the message, its I/O thread writes it even while a cell
    // blocks this thread. Queued alone, busy would wait for the cell to yield, and front ends
    // (and the Jupyter server's activity tracking) would see the kernel idle while it runs.
    await this.status("busy", msg.header);
    try {
      if (handler) await handler(msg, reply);
    } catch (err) {
      // A bug in a handler is reported on that request; the kernel carries on.
      const e = err as Error;
      await reply(type.replace(/_request$/, "_reply"), { status: "error", ename: e.name, evalue: e.message, traceback: String(e.stack ?? "").split("\n") });
    } finally {
      await this.status("idle", msg.header);
    }
    // Work that blocks this thread for a while waits until the reply and idle are on the wire:
    // jupyter_client's wait_for_ready waits for both before it sends the first cell.
    const later = this.afterIdle.splice(0);
    if (later.length) setImmediate(() => later.forEach((f) => f()));
  }

  private async kernelInfo(_m: Message, reply: (t: string, c: Content) => Promise<void>): Promise<void> {
    await reply("kernel_info_reply", {
      status: "ok",
      protocol_version: PROTOCOL_VERSION,
      implementation: "rnnlab",
      implementation_version: "0.1.0",
      language_info: {
        name: "typescript",
        version: TS_VERSION,
        mimetype: "text/typescript",
        file_extension: ".ts",
        codemirror_mode: { name: "javascript", typescript: true },
        pygments_lexer: "typescript",
      },
      banner: `rnnlab kernel — TypeScript ${TS_VERSION} on Node ${process.version}`,
      help_links: [],
      debugger: false,
    });
    // Load TypeScript's parser for the executor now, before the first cell asks for it.
    this.afterIdle.push(() => this.engineFor());
  }

  private async execute(msg: Message, reply: (t: string, c: Content) => Promise<void>): Promise<void> {
    const c = msg.content as { code: string; silent?: boolean; store_history?: boolean; stop_on_error?: boolean; allow_stdin?: boolean };
    const silent = Boolean(c.silent);
    const store = c.store_history ?? !silent;
    if (store) this.executionCount++;
    const count = this.executionCount;
    if (!silent) this.lastExecute = msg.header;
    const budget = new StreamBudget();
    // On the wire before the cell runs, for the same reason as busy (see dispatch()).
    if (!silent) await this.publish("execute_input", { code: c.code, execution_count: count }, msg.header);
    const entry: [number, number, string, string | null] = [1, count, c.code, null];
    if (store) this.history.push(entry);
    const forward = (e: CellEvent) => {
      if (silent) return;
      if (e.type === "clear") void this.publish("clear_output", { wait: e.wait }, msg.header);
      else if (e.type === "update") void this.publish("update_display_data", this.dataContent(e.output, e.displayId), msg.header);
      else {
        if (e.output.output_type === "execute_result") entry[3] = String(e.output.data["text/plain"] ?? "");
        if (e.output.output_type === "stream") {
          const text = budget.take(e.output.text as string);
          if (text) void this.publish("stream", { name: e.output.name, text }, msg.header);
        } else void this.forwardOutput(e.output, count, msg);
      }
    };
    const g = globalThis as Record<symbol, unknown>;
    g[STDIN] = this.stdinChannel(msg, Boolean(c.allow_stdin));
    const outcome = await this.engineFor().execute(c.code, { onEvent: forward }).finally(() => delete g[STDIN]);
    const dropped = budget.note();
    if (dropped && !silent) await this.publish("stream", { name: "stderr", text: dropped }, msg.header);
    if (!outcome.error) {
      await reply("execute_reply", { status: "ok", execution_count: count, user_expressions: {}, payload: [] });
      return;
    }
    const { ename, evalue, traceback } = outcome.error as ErrorOutput;
    if (!silent) await this.publish("error", { ename, evalue, traceback }, msg.header);
    // Only the requests queued when the cell failed are aborted: a client may send the next one
    // as soon as it has this reply, and that one must run. Requests that reached the socket
    // while the cell blocked the thread are read first (the shell reader runs on the event loop).
    if (c.stop_on_error ?? true) await new Promise((r) => setTimeout(r, 10));
    const behind = (c.stop_on_error ?? true) ? this.takeQueuedExecutes() : [];
    await reply("execute_reply", { status: "error", execution_count: count, ename, evalue, traceback, user_expressions: {}, payload: [] });
    await this.abortExecutes(behind);
  }

  private dataContent(o: DataOutput, displayId?: string): Content {
    const id = displayId ?? o.transient?.display_id;
    return { data: o.data, metadata: o.metadata ?? {}, transient: id ? { display_id: id } : {} };
  }

  private forwardOutput(o: Output, count: number, msg: Message): Promise<void> {
    if (o.output_type === "stream") return this.publish("stream", { name: o.name, text: o.text }, msg.header);
    if (o.output_type === "execute_result") return this.publish("execute_result", { execution_count: count, data: o.data, metadata: o.metadata ?? {} }, msg.header);
    if (o.output_type === "display_data") return this.publish("display_data", this.dataContent(o), msg.header);
    return Promise.resolve();
  }

  /** Takes the execute requests queued behind a failed cell, to reply "aborted" to them. */
  private takeQueuedExecutes(): { msg: Message; socket: ReplySocket }[] {
    const waiting = this.queue.filter((q) => q.msg.header.msg_type === "execute_request");
    for (const q of waiting) this.queue.splice(this.queue.indexOf(q), 1);
    return waiting;
  }

  private async abortExecutes(waiting: { msg: Message; socket: ReplySocket }[]): Promise<void> {
    for (const q of waiting) {
      await this.status("busy", q.msg.header);
      await this.send(q.socket, encode(this.signer, this.session, "execute_reply", { status: "aborted", execution_count: this.executionCount }, q.msg.header, q.msg.ids));
      await this.status("idle", q.msg.header);
    }
  }

  private async complete(msg: Message, reply: (t: string, c: Content) => Promise<void>): Promise<void> {
    const { code, cursor_pos } = msg.content as { code: string; cursor_pos: number };
    const r = this.engineFor().complete(code, cursor_pos);
    await reply("complete_reply", { status: "ok", matches: r.candidates, cursor_start: r.start, cursor_end: r.end, metadata: {} });
  }

  private async inspect(msg: Message, reply: (t: string, c: Content) => Promise<void>): Promise<void> {
    const { code, cursor_pos } = msg.content as { code: string; cursor_pos: number };
    const text = this.engineFor().inspect(code, cursor_pos);
    await reply("inspect_reply", { status: "ok", found: Boolean(text), data: text ? { "text/plain": text } : {}, metadata: {} });
  }

  private async isComplete(msg: Message, reply: (t: string, c: Content) => Promise<void>): Promise<void> {
    await reply("is_complete_reply", isComplete((msg.content as { code: string }).code));
  }

  private async historyRequest(msg: Message, reply: (t: string, c: Content) => Promise<void>): Promise<void> {
    const c = msg.content as { hist_access_type: string; n?: number; start?: number; stop?: number; pattern?: string; unique?: boolean; output?: boolean };
    let h = this.history;
    if (c.hist_access_type === "tail") h = h.slice(-(c.n ?? 10));
    else if (c.hist_access_type === "range") h = h.filter(([, line]) => line >= (c.start ?? 0) && (c.stop === undefined || line < c.stop));
    else if (c.hist_access_type === "search") {
      const re = new RegExp(`^${(c.pattern ?? "*").replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "s");
      h = h.filter(([, , input]) => re.test(input));
      if (c.unique) h = h.filter((e, i) => h.findIndex((x) => x[2] === e[2]) === i);
      if (c.n) h = h.slice(-c.n);
    }
    const history = h.map(([session, line, input, output]) => (c.output ? [session, line, [input, output]] : [session, line, input]));
    await reply("history_reply", { status: "ok", history });
  }

  private async interrupt(_m: Message, reply: (t: string, c: Content) => Promise<void>): Promise<void> {
    // The interrupter thread has acted already, on the request as it arrived (see listen()).
    await reply("interrupt_reply", { status: "ok" });
  }

  private async shutdown(msg: Message, reply: (t: string, c: Content) => Promise<void>): Promise<void> {
    const restart = Boolean((msg.content as { restart?: boolean }).restart);
    await reply("shutdown_reply", { status: "ok", restart });
    await this.publish("shutdown_reply", { status: "ok", restart }, msg.header);
    // Stop the worker threads before exiting: a process.exit() that races a thread still
    // starting or compiling can hang. Wait at most two seconds for them.
    setTimeout(() => {
      const stopped = Promise.all([this.engine.close(), this.interrupter.then((i) => i.close())]).catch(() => undefined);
      void Promise.race([stopped, new Promise((r) => setTimeout(r, 2000))]).finally(() => exitProcess(0));
    }, 50);
  }
}
