/**
 * tfjs's engine after a cell stopped in the middle of a gradient: an interrupt is a V8
 * termination, which runs no finally, so scopes, tape and kernel depth stay open. Here the
 * leftovers are made by hand, as a stopped `tf.variableGrads` leaves them.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { beforeAll, describe, expect, it } from "vitest";
import { leaveCellScope, markTfjs, releaseStoppedCell, resetTfjs } from "../../src/runner/tfjs-reset";

interface EngineInternals {
  startTape(): void;
  state: { scopeStack: unknown[]; gradientDepth: number; kernelDepth: number; activeTape: unknown[] | null };
}
const engine = () => tf.engine() as unknown as EngineInternals;

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function gradientsWork(): boolean {
  const w = tf.variable(tf.scalar(2));
  try {
    const { value, grads } = tf.variableGrads(() => tf.square(w) as tf.Scalar, [w]);
    const ok = Math.abs(grads[w.name].dataSync()[0] - 4) < 1e-6;
    tf.dispose([value, ...Object.values(grads)]);
    return ok;
  } catch {
    return false;
  } finally {
    w.dispose();
  }
}

describe("resetTfjs", () => {
  it("closes the scopes, tape and kernel depth a stopped cell left, disposing the scopes' tensors", () => {
    expect(gradientsWork()).toBe(true);
    const before = tf.memory().numTensors;
    const mark = markTfjs();
    expect(mark).toBeDefined();
    // What a termination inside optimizer.minimize leaves behind.
    tf.engine().startScope("forward");
    engine().startTape();
    engine().state.kernelDepth++;
    tf.add(tf.ones([3]), 1);
    tf.engine().startScope("inner");
    tf.zeros([2]);
    expect(gradientsWork()).toBe(false);
    resetTfjs(mark);
    releaseStoppedCell(mark, []);
    expect(engine().state.scopeStack.length).toBe(0);
    expect(engine().state.gradientDepth).toBe(0);
    expect(engine().state.kernelDepth).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    expect(gradientsWork()).toBe(true);
  });

  it("disposes a stopped cell's loose tensors but not those the notebook's variables hold", () => {
    const before = tf.memory().numTensors;
    const mark = markTfjs();
    const kept = tf.tensor1d([1, 2, 3]);
    tf.tensor1d([4, 5, 6]);
    releaseStoppedCell(mark, [{ weights: [kept] }]);
    expect(kept.isDisposed).toBe(false);
    expect(tf.memory().numTensors).toBe(before + 1);
    kept.dispose();
  });

  it("keeps what a cell that ended normally made", () => {
    const mark = markTfjs();
    const t = tf.tensor1d([1]);
    leaveCellScope(mark);
    expect(engine().state.scopeStack.length).toBe(0);
    expect(t.isDisposed).toBe(false);
    t.dispose();
  });
});
