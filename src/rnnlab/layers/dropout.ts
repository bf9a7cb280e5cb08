/**
 * Dropout: while training, zero each element with probability p and scale the survivors by
 * 1/(1−p), so the expected activation is unchanged and eval mode needs no rescaling.
 * Masks come from the seeded generator, so a seeded run drops the same units every time.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Module } from "../module";
import { defaultGenerator, type Generator } from "../random";
import { expectRange } from "../validate";

export function dropout<T extends tf.Tensor>(x: T, p: number, training: boolean, gen: Generator = defaultGenerator()): T {
  if (!training || p === 0) return x;
  if (p === 1) return tf.zerosLike(x);
  const keep = 1 / (1 - p);
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = gen.next() >= p ? keep : 0;
  return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape)) as T);
}

export class Dropout extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super("Dropout");
    this.p = expectRange("Dropout", "p", p, 0, 1, false);
  }

  forward<T extends tf.Tensor>(x: T): T {
    return dropout(x, this.p, this.training);
  }

  describe(): string {
    return `Dropout(p=${this.p})`;
  }
}
