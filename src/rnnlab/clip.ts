/**
 * Gradient clipping, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_.
 *
 * Global-norm clipping scales *all* gradients by one factor, min(1, maxNorm / ‖g‖), where
 * ‖g‖ = sqrt(Σ over every parameter of Σ g²). The update keeps its direction, only shorter.
 * Value clipping clamps each element to [−v, v], which can change the direction.
 */
import * as tf from "@tensorflow/tfjs-core";
import { describe } from "./validate";

export type Grads = Record<string, tf.Tensor>;

export interface ClipResult {
  /** The clipped gradients (new tensors; the inputs are left untouched). */
  grads: Grads;
  /** The global norm before clipping, like clip_grad_norm_'s return value. */
  totalNorm: number;
}

/** sqrt(Σ g²) over all gradients. Read back and summed in JavaScript: one read per tensor
 * costs less than the handful of tfjs ops (each with its fixed overhead) it replaces. */
export function globalNorm(grads: Grads): number {
  let sum = 0;
  for (const g of Object.values(grads)) {
    const v = g.dataSync();
    for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  }
  return Math.sqrt(sum);
}

export function clipGradNorm(grads: Grads, maxNorm: number): ClipResult {
  if (typeof maxNorm !== "number" || !(maxNorm > 0)) {
    throw new RangeError(`clipGradNorm: maxNorm: expected a positive number, got ${describe(maxNorm)}.`);
  }
  const totalNorm = globalNorm(grads);
  // PyTorch's epsilon keeps a zero gradient from dividing by zero.
  const scale = Math.min(1, maxNorm / (totalNorm + 1e-6));
  const out: Grads = {};
  for (const [name, g] of Object.entries(grads)) out[name] = scale < 1 ? tf.mul(g, scale) : tf.clone(g);
  return { grads: out, totalNorm };
}

export function clipGradValue(grads: Grads, clipValue: number): Grads {
  if (typeof clipValue !== "number" || !(clipValue > 0)) {
    throw new RangeError(`clipGradValue: clipValue: expected a positive number, got ${describe(clipValue)}.`);
  }
  const out: Grads = {};
  for (const [name, g] of Object.entries(grads)) out[name] = tf.clipByValue(g, -clipValue, clipValue);
  return out;
}
