/**
 * Losses, as in torch.nn.functional.
 *
 * crossEntropy(logits, targets) = −mean over counted positions of log softmax(logits)[target],
 * computed from logits with logSumExp for stability. Positions equal to `ignoreIndex`, or with
 * a zero in `mask` (padding), are left out of both the sum and the count.
 */
import * as tf from "@tensorflow/tfjs-core";
import { meanSquaredError } from "./fused/mean-squared-error";
import { expectKnownOptions, expectShape, fmtShape } from "./validate";

export interface CrossEntropyOptions {
  /** Targets equal to this are not counted (PyTorch's ignore_index, default −100). */
  ignoreIndex?: number;
  /** 1 where a position counts, 0 for padding; same shape as targets. */
  mask?: tf.Tensor;
  /** "mean" over counted positions (default) or "sum". */
  reduction?: "mean" | "sum";
}

/** logits (…, C) and integer targets (…) → a scalar. */
export function crossEntropy(logits: tf.Tensor, targets: tf.Tensor | number[], options: CrossEntropyOptions = {}): tf.Scalar {
  const where = "crossEntropy";
  expectKnownOptions(where, options ?? {}, ["ignoreIndex", "mask", "reduction"]);
  return tf.tidy(() => {
    // Class ids must be whole numbers: casting 1.5 to int32 would quietly train on class 1.
    if (!(targets instanceof tf.Tensor)) expectWholeNumbers(where, (targets as unknown[]).flat(Infinity) as number[]);
    const t = targets instanceof tf.Tensor ? targets : tf.tensor(targets, undefined, "int32");
    const C = logits.shape[logits.rank - 1];
    expectShape(where, "targets", t, logits.shape.slice(0, -1), `logits are ${fmtShape(logits.shape)}, so targets are the leading dims`);
    if (t.dtype !== "int32") expectWholeNumbers(where, t.dataSync());
    const flatLogits = tf.reshape(logits, [-1, C]);
    const flatT = tf.cast(tf.reshape(t, [-1]), "int32");
    const ignore = options.ignoreIndex ?? -100;
    let weight = tf.cast(tf.notEqual(flatT, ignore), "float32");
    if (options.mask) {
      expectShape(where, "mask", options.mask, t.shape, "same shape as targets");
      weight = tf.mul(weight, tf.cast(tf.reshape(options.mask, [-1]), "float32"));
    }
    const targetValues = flatT.dataSync();
    const weightValues = weight.dataSync();
    for (let i = 0; i < targetValues.length; i++) {
      if (weightValues[i] !== 0 && (targetValues[i] < 0 || targetValues[i] >= C)) {
        throw new RangeError(`${where}: targets: expected class ids in [0, ${C}) or ignoreIndex ${ignore}, got ${targetValues[i]} at position ${i}.`);
      }
    }
    const safeT = tf.mul(flatT, tf.cast(weight, "int32"));
    const logProbs = tf.sub(flatLogits, tf.logSumExp(flatLogits, 1, true));
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(safeT, C)), 1);
    const total = tf.neg(tf.sum(tf.mul(picked, weight)));
    if (options.reduction === "sum") return total as tf.Scalar;
    // With nothing counted this is 0/0 = NaN, as in PyTorch: a batch of padding only is a bug to see.
    return tf.div(total, tf.sum(weight)) as tf.Scalar;
  });
}

function expectWholeNumbers(where: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isInteger(values[i])) {
      throw new TypeError(`${where}: targets: expected integer class ids, got ${values[i]} at position ${i}.`);
    }
  }
}

/** Mean squared error between same-shaped tensors: mean((prediction − target)²), one fused op. */
export function mse(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  expectShape("mse", "target", target, prediction.shape, "same shape as prediction");
  return meanSquaredError(prediction, target);
}
