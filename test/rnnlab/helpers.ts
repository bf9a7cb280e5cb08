import * as tf from "@tensorflow/tfjs-core";
import { expect } from "vitest";

export function maxAbsDiff(a: tf.Tensor | number[], b: tf.Tensor | number[]): number {
  const x = a instanceof tf.Tensor ? a.dataSync() : Float32Array.from((a as number[]).flat(Infinity) as number[]);
  const y = b instanceof tf.Tensor ? b.dataSync() : Float32Array.from((b as number[]).flat(Infinity) as number[]);
  expect(x.length).toBe(y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

/** max |a−b| / max |b|: the error relative to the reference's scale. */
export function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length).toBe(y.length);
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return diff / scale;
}

export function randn(shape: number[], seed: number): tf.Tensor {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return tf.tensor(out, shape);
}
