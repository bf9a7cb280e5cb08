/**
 * The kernel's side of the interrupter thread (interrupter-thread.ts): starts it, passes it the
 * engine's shared cell state, and relays the control channel, which the thread owns so that an
 * interrupt_request is seen even while a cell blocks this thread.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { FromInterrupter, InterrupterData, ToInterrupter } from "./interrupter-thread";

export interface InterrupterEvents {
  /** Stop cell `cell` if it still runs; `terminated`: its JavaScript was ended from outside. */
  interrupt(cell: number, terminated: boolean): void;
  /** A message on the control channel, as raw frames. */
  control(frames: Buffer[]): void;
}

export class Interrupter {
  private readonly worker: Worker;
  /** The control socket, as the kernel's request loop sees it: replies go through the thread. */
  readonly control = { send: async (frames: Buffer[]) => this.post({ type: "send", frames }) };

  private constructor(worker: Worker) {
    this.worker = worker;
  }

  /** Starts the thread; resolves once its control socket is bound. */
  static start(data: InterrupterData, events: InterrupterEvents): Promise<Interrupter> {
    const worker = new Worker(path.join(__dirname, "interrupter-thread.js"), { workerData: data });
    worker.unref();
    const it = new Interrupter(worker);
    return new Promise((resolve, reject) => {
      worker.on("error", (err) => {
        process.stderr.write(`rnnlab kernel: the interrupter thread failed: ${err.message}\n`);
        reject(err);
      });
      worker.on("message", (m: FromInterrupter | { type: "bound" }) => {
        if (m.type === "bound") resolve(it);
        else if (m.type === "interrupt" || m.type === "terminated") events.interrupt(m.cell, m.type === "terminated");
        else if (m.type === "control") events.control(m.frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength)));
      });
      if (!data.controlAddress) resolve(it);
    });
  }

  private post(m: ToInterrupter): void {
    this.worker.postMessage(m);
  }

  /** Asks the thread to stop the running cell (an interrupt that reached this thread). */
  interrupt(): void {
    this.post({ type: "interrupt" });
  }

  /** Ends the thread, giving it a second to close its socket itself. */
  async close(): Promise<void> {
    const ended = new Promise((r) => this.worker.once("exit", r));
    this.post({ type: "close" });
    const timer = setTimeout(() => void this.worker.terminate(), 1000);
    await ended;
    clearTimeout(timer);
  }
}
