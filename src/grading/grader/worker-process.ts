/**
 * One sandboxed grading process seen from the grader: started with its job, its reports read
 * line by line from file descriptor 3 and checked (protocol.ts), its memory polled, and killed
 * with a recorded reason. Nothing a process writes can throw in the grader: a bad line ends
 * that process, and the submission records why.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import type { Readable, Writable } from "node:stream";
import { MAX_REPORT_BYTES, parseReport, type Job, type WorkerMessage } from "./protocol";
import { sandboxArgs, sandboxEnv, type Runtime } from "./sandbox";

export type DeathKind = "timeout" | "memory" | "exited" | "startup" | "malformed" | "total-time";

export interface Death {
  kind: DeathKind;
  /** The plan index of the cell running when it died, -1 before the first. */
  cell: number;
  message: string;
  /** The test the process was stopped for, when the grader stopped it for one. */
  test?: number;
}

export interface WorkerOptions {
  runtime: Runtime;
  worker: string;
  cwd: string;
  own: string[];
  heapMb: number;
  rssMb: number;
  /** The cells this process will run, in order: cell-start must follow this order. */
  cellOrder: number[];
  onMessage: (m: WorkerMessage) => void;
}

function rssMbOf(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export class WorkerProcess {
  /** Every process still running, so an interrupted grader can stop them all. */
  static readonly live = new Set<WorkerProcess>();
  static killAll(message: string): void {
    for (const w of WorkerProcess.live) w.kill("exited", message);
  }

  readonly child: ChildProcess;
  /** The plan index of the cell running now (-1 before the first, after the last its index). */
  current = -1;
  death: Death | undefined;
  private stderr = "";
  private readonly memoryWatch: NodeJS.Timeout;
  readonly exited: Promise<void>;

  constructor(job: Job, private readonly o: WorkerOptions) {
    this.child = spawn(process.execPath, sandboxArgs(o.runtime, o.worker, o.own, { heapMb: o.heapMb }), {
      cwd: o.cwd,
      env: sandboxEnv(o.runtime),
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    this.child.stdout!.resume(); // what a student's function prints during a test is not feedback
    this.child.stderr!.on("data", (d: Buffer) => (this.stderr = (this.stderr + d.toString("utf8")).slice(-8000)));
    const channel = this.child.stdio[3] as unknown as Readable & Writable;
    channel.on("error", () => undefined); // a process that dies mid-write; its exit says why
    channel.write(`${JSON.stringify(job)}\n`);
    this.reportChannel = channel;
    this.channel = job.channel;
    this.readReports(channel, job.nonce);
    this.memoryWatch = setInterval(() => {
      const rss = this.child.pid ? rssMbOf(this.child.pid) : undefined;
      if (rss !== undefined && rss > o.rssMb) this.kill("memory", `used more than ${o.rssMb} MB of memory (${Math.round(rss)} MB)`);
    }, 200);
    WorkerProcess.live.add(this);
    this.exited = new Promise((resolve) => {
      this.child.on("error", (err) => this.kill("startup", `could not start node: ${err.message}`));
      this.child.on("exit", (code, signal) => {
        WorkerProcess.live.delete(this);
        clearInterval(this.memoryWatch);
        if (!this.death && /heap out of memory|Reached heap limit|Allocation failed/i.test(this.stderr)) {
          this.death = { kind: "memory", cell: this.current, message: `ran out of memory (heap limit ${o.heapMb} MB)` };
        }
        if (!this.death && !this.finished && !this.stopped) {
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          const own = this.stderr.split("\n").find((l) => l.startsWith("rnnlab grader worker:"));
          this.death = { kind: "exited", cell: this.current, message: `${how}${own ? `: ${own.slice(0, 300)}` : ""}` };
        }
        resolve();
      });
    });
  }

  /** Set once the process has reported `done`. */
  finished = false;
  /** Set when the grader ended a process that had nothing left to do. */
  private stopped = false;
  /** Set once the process has reported `started` (the student's process: its pipes are open). */
  opened = false;
  readonly channel: Job["channel"];
  private ended = -1;

  private readReports(channel: Readable, nonce: string): void {
    let buffered = "";
    const order = this.o.cellOrder;
    const expectIndex = (index: number, type: "cell-start" | "cell-end") => {
      if (type === "cell-end") return index === this.current && this.ended !== index;
      const next = order.indexOf(index);
      return next >= 0 && next === order.indexOf(this.current) + 1 && (this.current === -1 || this.ended === this.current);
    };
    channel.setEncoding("utf8");
    channel.on("data", (chunk: string) => {
      if (this.death) return;
      buffered += chunk;
      let at: number;
      while ((at = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, at);
        buffered = buffered.slice(at + 1);
        const m = parseReport(line, nonce, expectIndex);
        if (typeof m === "string") return this.kill("malformed", `broke the grader's protocol: ${m}`);
        if (m.type === "cell-start") this.current = m.index;
        if (m.type === "cell-end") this.ended = m.index;
        if (m.type === "done") this.finished = true;
        if (m.type === "started") this.opened = true;
        this.o.onMessage(m);
        if (this.death) return;
      }
      if (buffered.length > MAX_REPORT_BYTES) this.kill("malformed", `broke the grader's protocol: a report line longer than ${MAX_REPORT_BYTES} bytes`);
    });
  }

  private reportChannel: Writable;

  /** Writes a notice to the process (the test process reads it when it next needs the student). */
  tell(notice: unknown): void {
    this.reportChannel.write(`${JSON.stringify(notice)}\n`);
  }

  interrupt(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGINT");
  }

  /** Ends a process that has done its work but lingers (a cell left a timer running). */
  stop(): void {
    this.stopped = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }

  /** Ends the process; the first reason given is the one recorded. */
  kill(kind: DeathKind, message: string, test?: number): void {
    this.death ??= { kind, cell: this.current, message, test };
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}
