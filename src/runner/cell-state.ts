/**
 * What the engine is doing, in memory shared with other threads (an Int32Array over a
 * SharedArrayBuffer), so that a thread can stop a cell while the engine's own thread is blocked
 * by it (see ../kernel/interrupter-thread.ts). Reads and writes are Atomics.
 */

/** The running cell's number (1, 2, …), 0 between cells. */
export const CELL = 0;
/** Which part of the cell runs: one of the PHASE_ values. */
export const PHASE = 1;
/** The number of the cell an interrupt was asked for. */
export const INTERRUPT = 2;
/** The number of the cell whose interrupt the engine's thread has acted on. */
export const ACK = 3;
/**
 * When this thread last saw SIGINT (Date.now() modulo 2^31): a signal it handled itself needs
 * no help from another thread that saw the same signal.
 */
export const LAST_SIGINT = 4;
export const SLOTS = 5;

/** The clock LAST_SIGINT is kept in, comparable across threads. */
export const sigintClock = () => Date.now() % 0x7fffffff;

export const PHASE_IDLE = 0;
/** TypeScript compiles the cell (the thread waits on the compiler thread). */
export const PHASE_COMPILING = 1;
/** The cell's top level runs inside vm.runInThisContext, where SIGINT stops it. */
export const PHASE_IN_VM = 2;
/** The cell's top level has returned a promise: its code now runs in promise jobs and callbacks. */
export const PHASE_ASYNC = 3;

export function newCellState(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(SLOTS * 4));
}
