/**
 * Stops a cell's tfjs work at the next op, cleanly.
 *
 * The last resort for a cell that blocks the thread is V8's TerminateExecution, which can land
 * anywhere, also inside tfjs's own bookkeeping (between a Variable.assign's dispose and incRef,
 * say), and leave a variable pointing at freed data: "Cannot read properties of undefined
 * (reading 'backend')" on the next step. Training loops spend nearly all their time in tfjs
 * ops, so each op first checks whether the running cell's interrupt has been asked for (one
 * Atomics.load on the shared cell state) and, if so, throws an ordinary error: tfjs's own
 * cleanup (tidy, the tape, kernelDepth) runs as for any exception, and nothing is torn.
 *
 * tfjs-core keeps its engine on the global object (`_tfengine`); every op goes through its
 * runKernelFunc. Nothing here loads tfjs.
 */
const PATCHED = Symbol.for("rnnlab.stopsAtNextOp");

interface TfEngine {
  runKernelFunc(params: unknown): unknown;
  [PATCHED]?: true;
}

/** Makes every tfjs op throw "the cell was interrupted" while `stopRequested()` is true. */
export function stopTfjsOpsWhen(stopRequested: () => boolean): void {
  const engine = (globalThis as { _tfengine?: TfEngine })._tfengine;
  if (!engine || engine[PATCHED] || typeof engine.runKernelFunc !== "function") return;
  const run = engine.runKernelFunc;
  engine.runKernelFunc = function (this: TfEngine, params: unknown) {
    if (stopRequested()) throw new Error("the cell was interrupted");
    return run.call(this, params);
  };
  engine[PATCHED] = true;
}
