/**
 * Puts tfjs's engine back the way it was before a cell that failed, was interrupted or timed out.
 *
 * tfjs closes its tidy scopes and gradient tape in `finally`-like code (scopedRun), but an
 * interrupt is a V8 termination, which runs no catch or finally: a training loop stopped inside
 * `optimizer.minimize` leaves a scope open, the tape on and kernelDepth raised, and every later
 * gradient then fails with "Cannot find a connection between any variable and the result of
 * the loss function". Ending the open scopes also disposes the tensors made in them, as tidy
 * would have.
 *
 * A cell also runs inside a scope of its own, so that a stopped cell's tensors made outside
 * any tidy (a training step stopped between `variableGrads` and its `dispose`) can be found:
 * those the notebook's variables do not hold are disposed. A cell that ends normally leaves
 * that scope without disposing anything, so what it made stays, as at the top level.
 *
 * tfjs-core keeps its engine on the global object (`_tfengine`); nothing here loads tfjs.
 */
interface TensorLike { dispose(): void; kept?: boolean; isDisposed?: boolean; dataId?: object }
interface Scope { track: TensorLike[] }
interface TapeNode { saved?: TensorLike[] }
interface TfEngine {
  endScope(result?: unknown): void;
  startScope(name?: string): void;
  state: {
    scopeStack: unknown[];
    activeScope: unknown;
    gradientDepth: number;
    kernelDepth: number;
    activeTape: TapeNode[] | null;
    numDataMovesStack: number[];
  };
}

export interface TfjsMark { scopes: number; gradientDepth: number; kernelDepth: number; cellScope: Scope }

function tfEngine(): TfEngine | undefined {
  const e = (globalThis as { _tfengine?: TfEngine })._tfengine;
  return e && Array.isArray(e.state?.scopeStack) ? e : undefined;
}

/**
 * tfjs's nesting before a cell runs (all zero at a notebook's top level), and the cell's own
 * scope, opened here; undefined while no cell has loaded tfjs.
 */
export function markTfjs(): TfjsMark | undefined {
  const e = tfEngine();
  if (!e) return undefined;
  const mark = { scopes: e.state.scopeStack.length, gradientDepth: e.state.gradientDepth, kernelDepth: e.state.kernelDepth };
  e.startScope("rnnlab cell");
  return { ...mark, cellScope: e.state.scopeStack[e.state.scopeStack.length - 1] as Scope };
}

/** Leaves the cell's scope without disposing what it tracked (the cell ended normally). */
export function leaveCellScope(mark: TfjsMark | undefined): void {
  const e = tfEngine();
  if (!e || !mark) return;
  const s = e.state;
  const at = s.scopeStack.indexOf(mark.cellScope);
  if (at < 0) return;
  s.scopeStack.splice(at, 1);
  s.activeScope = s.scopeStack[s.scopeStack.length - 1] ?? null;
}

/** Every tensor `roots` hold, a few levels deep (the notebook's variables and what they contain). */
function heldTensors(roots: unknown[]): Set<object> {
  const held = new Set<object>();
  const seen = new Set<object>();
  const walk = (v: unknown, depth: number) => {
    if (!v || typeof v !== "object" || seen.has(v) || seen.size > 100_000) return;
    seen.add(v);
    const t = v as TensorLike;
    if (t.dataId && typeof t.dispose === "function") {
      held.add(t);
      return;
    }
    if (depth === 0) return;
    const children = v instanceof Map ? [...v.values()] : Array.isArray(v) ? v : Object.values(v);
    for (const c of children) walk(c, depth - 1);
  };
  for (const r of roots) walk(r, 4);
  return held;
}

/**
 * After a stopped cell: disposes the tensors its own scope tracked (made outside any tidy)
 * that nothing in `notebookValues` holds; then closes the scope. Returns how many it disposed.
 */
export function releaseStoppedCell(mark: TfjsMark | undefined, notebookValues: unknown[]): number {
  const e = tfEngine();
  if (!e || !mark || !e.state.scopeStack.includes(mark.cellScope)) return 0;
  const held = heldTensors(notebookValues);
  let disposed = 0;
  for (const t of mark.cellScope.track) {
    if (t.kept || t.isDisposed || held.has(t)) continue;
    t.dispose();
    disposed++;
  }
  mark.cellScope.track = [];
  leaveCellScope(mark);
  return disposed;
}

/** Closes what the cell left open; returns a description of what it closed, or "" if nothing. */
export function resetTfjs(mark: TfjsMark | undefined): string {
  const e = tfEngine();
  if (!e) return "";
  const base = mark ?? { scopes: 0, gradientDepth: 0, kernelDepth: 0 };
  const s = e.state;
  // Scopes opened inside the cell, above its own scope (which the caller closes).
  const open = s.scopeStack.length - base.scopes - (mark && s.scopeStack.includes(mark.cellScope) ? 1 : 0);
  const tape = s.gradientDepth - base.gradientDepth;
  const kernels = s.kernelDepth - base.kernelDepth;
  // endScope disposes what the scope tracked (but not what was kept), as tidy does.
  for (let i = 0; i < open; i++) {
    try {
      e.endScope();
    } catch {
      s.scopeStack.pop();
      s.activeScope = s.scopeStack[s.scopeStack.length - 1] ?? null;
    }
  }
  s.gradientDepth = base.gradientDepth;
  s.kernelDepth = base.kernelDepth;
  if (s.gradientDepth === 0 && s.activeTape) {
    // Tensors the tape saved for backward are kept out of tidy; gradients() would dispose them.
    for (const node of s.activeTape) for (const t of node.saved ?? []) t.dispose();
    s.activeTape = null;
  }
  s.numDataMovesStack = [];
  // rnnlab's fused WebAssembly kernels keep their own memory bookkeeping (wasm-kernels.ts).
  const resetKernels = (globalThis as Record<symbol, unknown>)[Symbol.for("rnnlab.resetAfterStoppedCell")];
  if (typeof resetKernels === "function") resetKernels();
  if (open <= 0 && tape <= 0 && kernels <= 0) return "";
  return `tfjs: closed ${open} open scope(s) and ${tape} gradient tape(s) the cell left behind`;
}
