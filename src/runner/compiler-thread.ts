/**
 * tslab's TypeScript converters in a worker thread, called synchronously.
 *
 * Building the converter (TypeScript's program over lib.es2022 and @types/node) takes a second
 * or more. In the kernel's own thread that second would block everything, heartbeat included;
 * here it runs on the other core while the kernel answers Jupyter. tslab's executor calls its
 * converter synchronously, so each call posts a request and sleeps on a shared flag
 * (Atomics.wait) until the worker has posted the answer, which is then read at once with
 * receiveMessageOnPort. A call costs a few hundredths of a millisecond more than in-thread.
 */
import * as path from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";

const WORKER = `
const { workerData } = require("node:worker_threads");
const { port, flags, converterPath, anywherePath, timersPath } = workerData;
const done = () => { Atomics.store(flags, 0, 1); Atomics.notify(flags, 0); };
// First of all, so a caller waiting on the flag learns of any end, even a failed require.
process.on("exit", () => { Atomics.store(flags, 2, 1); done(); });
// TypeScript's two timers share tslab's one slot (see tslab-timers.ts): without this a folder
// changing near a failed module lookup made every later compile throw, or ended this thread.
require(timersPath).shareTslabTimer(converterPath);
require(anywherePath).forwardRnnlabTypes(converterPath);
const { createConverter } = require(converterPath);
const made = {};
const converter = (which) => (made[which] ??= createConverter(which === "browser" ? { isBrowser: true } : undefined));
try { converter("node"); } catch (err) { made.failure = err; }
Atomics.store(flags, 1, 1);
port.on("message", ({ id, which, method, args }) => {
  try {
    if (made.failure) throw made.failure;
    let value = converter(which)[method](...args);
    // Completion info carries the compiler's own objects; the engine needs only the names.
    if (method === "complete" && value) value = { start: value.start, end: value.end, candidates: value.candidates };
    port.postMessage({ id, value });
  } catch (err) {
    port.postMessage({ id, error: { name: err.name, message: err.message, stack: err.stack } });
  }
  done();
});
`;

// The worker runs plain JavaScript, also when this file runs from source under vitest: the built copy.
const ANYWHERE_JS = path.resolve(__dirname, "../../dist/runner/rnnlab-anywhere.js");
const TIMERS_JS = path.resolve(__dirname, "../../dist/runner/tslab-timers.js");

/** flags[0]: an answer is waiting; flags[1]: the node converter is built; flags[2]: the worker ended. */
const ANSWER = 0;
const READY = 1;
const ENDED = 2;

export class CompilerThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flags = new Int32Array(new SharedArrayBuffer(12));
  /** Numbers each call, so that the answer to a call given up on is recognised and dropped. */
  private calls = 0;

  /**
   * `stopRequested`: polled while a call waits; when it turns true the call gives up with an
   * "interrupted" error (the compiler finishes that work unseen, then takes the next call).
   */
  constructor(private readonly stopRequested: () => boolean = () => false) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const converterPath = require.resolve("tslab/dist/converter");
    this.worker = new Worker(WORKER, { eval: true, workerData: { port: port2, flags: this.flags, converterPath, anywherePath: ANYWHERE_JS, timersPath: TIMERS_JS }, transferList: [port2] });
    // The compiler must never keep the kernel (or a finished runner) alive.
    this.worker.unref();
    // A failure inside the worker ends it (calls then fail, see call()); it must not become an
    // unhandled 'error' event in the kernel's thread.
    this.worker.on("error", (err) => {
      process.stderr.write(`rnnlab: the TypeScript compiler thread failed: ${err.message}\n`);
      Atomics.store(this.flags, ENDED, 1);
    });
    this.port.unref();
  }

  /** True once the node converter is built and calls no longer wait for it. */
  get ready(): boolean {
    return Atomics.load(this.flags, READY) === 1;
  }

  /** Calls `method` of the node or browser converter in the worker and waits for its answer. */
  call<T>(which: "node" | "browser", method: string, args: unknown[]): T {
    if (Atomics.load(this.flags, ENDED) === 1) throw new Error("the TypeScript compiler thread has stopped; restart the kernel");
    const id = ++this.calls;
    Atomics.store(this.flags, ANSWER, 0);
    this.port.postMessage({ id, which, method, args });
    type Answer = { id: number; value?: T; error?: { name: string; message: string; stack: string } };
    let answer: Answer | undefined;
    for (let waited = 0; ; ) {
      // The worker posts its answer before it raises the flag: read the port first, then sleep.
      for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
        if ((m.message as Answer).id === id) answer = m.message as Answer;
      }
      if (answer) break;
      if (this.stopRequested()) throw new Error("the cell was interrupted while it compiled");
      if (Atomics.wait(this.flags, ANSWER, 0, 50) !== "timed-out") Atomics.store(this.flags, ANSWER, 0);
      else if ((waited += 50) % 1000 === 0 && Atomics.load(this.flags, ENDED) === 1) {
        throw new Error("the TypeScript compiler thread stopped while compiling; restart the kernel");
      }
    }
    if (answer.error) throw Object.assign(new Error(answer.error.message), answer.error);
    return answer.value as T;
  }

  /** Stops the worker; resolves once its thread has ended. */
  async close(): Promise<void> {
    this.port.close();
    await this.worker.terminate();
  }
}
