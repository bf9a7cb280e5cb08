/**
 * The recall task of notebooks 02 and 03: the first step shows one of `symbols` symbols with a
 * marker bit, distractor symbols follow, and the target is the first symbol. Every step is a
 * one-hot vector of size symbols + 1 (the last entry is the marker), so the answer must be
 * carried across T − 1 steps.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Generator } from "../random";
import { expectPositiveInt } from "../validate";

export interface RecallBatch {
  /** [B, T, symbols + 1]: one-hot symbol, and the marker at t = 0. */
  x: tf.Tensor3D;
  /** [B] int32: the first symbol. */
  y: tf.Tensor1D;
}

/** B recall sequences of length T from `seed` (the same seed gives the same batch). */
export function recallBatch(batch: number, T: number, seed: number, symbols = 4): RecallBatch {
  expectPositiveInt("recallBatch", "batch", batch);
  expectPositiveInt("recallBatch", "T", T);
  if (!Number.isInteger(seed)) throw new RangeError(`recallBatch: seed: expected an integer, got ${String(seed)}.`);
  expectPositiveInt("recallBatch", "symbols", symbols, 2);
  const K = symbols;
  const g = new Generator(seed);
  const x = new Float32Array(batch * T * (K + 1));
  const y: number[] = [];
  for (let b = 0; b < batch; b++) {
    const first = g.int(K);
    y.push(first);
    for (let t = 0; t < T; t++) {
      // The draw order (first symbol, then one per later step) fixes the course's numbers.
      const symbol = t === 0 ? first : g.int(K);
      x[(b * T + t) * (K + 1) + symbol] = 1;
      if (t === 0) x[(b * T + t) * (K + 1) + K] = 1;
    }
  }
  return { x: tf.tensor3d(x, [batch, T, K + 1]), y: tf.tensor1d(y, "int32") };
}
