/**
 * Gradient clipping, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_.
 *
 * Global-norm clipping scales *all* gradients by one factor, min(1, maxNorm / ‖g‖), where
 * ‖g‖ = sqrt(Σ over every parameter of Σ g²). The update keeps its direction, only shorter.
 * Value clipping clamps each element to [−v, v], which can change the direction.
 */
import * as tf from "@tensorflow/tfjs-core";
import { describe, expectKnownOptions } from "./validate";

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

export interface ClipOptions {
  /** Throw when the total norm is NaN or infinite (PyTorch's error_if_nonfinite). Default false. */
  errorIfNonfinite?: boolean;
}

/**
 * As clip_grad_norm_, non-finite norms included: a NaN anywhere makes the norm NaN and every
 * clipped gradient NaN (the scale is NaN), and an infinite norm scales everything by 0. So a
 * diverged step shows up in the weights instead of being applied to some of them.
 */
export function clipGradNorm(grads: Grads, maxNorm: number, options: ClipOptions = {}): ClipResult {
  if (typeof maxNorm !== "number" || !(maxNorm > 0)) {
    throw new RangeError(`clipGradNorm: maxNorm: expected a positive number, got ${describe(maxNorm)}.`);
  }
  expectKnownOptions("clipGradNorm", options ?? {}, ["errorIfNonfinite"]);
  const totalNorm = globalNorm(grads);
  if (options.errorIfNonfinite && !Number.isFinite(totalNorm)) {
    throw new RangeError(`clipGradNorm: grads: expected a finite total norm (errorIfNonfinite), got ${totalNorm}.`);
  }
  // PyTorch's epsilon keeps a zero gradient from dividing by zero; NaN stays NaN through min.
  const scale = Number.isNaN(totalNorm) ? NaN : Math.min(1, maxNorm / (totalNorm + 1e-6));
  const out: Grads = {};
  for (const [name, g] of Object.entries(grads)) out[name] = scale < 1 || Number.isNaN(scale) ? tf.mul(g, scale) : tf.clone(g);
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
