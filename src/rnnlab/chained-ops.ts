/// <reference types="@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops" />
/**
 * The chained tensor API (`x.reshape([2, 3])`, `h.tanh()`, `t.print()` is built in) that
 * learners know from tfjs examples. tfjs-core ships it only as ES modules that Node's CommonJS
 * loader cannot require, so the same methods are registered here: each one calls the op of the
 * same name with the tensor as its first argument. The types come from tfjs-core's own
 * declarations, referenced below for their module augmentation only.
 */
import * as tf from "@tensorflow/tfjs-core";

/** Methods that are exactly `op(this, ...args)`. */
const SAME_AS_OP = (
  "abs acos acosh add all any argMax argMin asin asinh atan atan2 atanh batchToSpaceND batchNorm broadcastTo cast ceil " +
  "clipByValue conv1d conv2d cos cosh cumprod cumsum depthToSpace div divNoNan dot elu equal erf euclideanNorm exp " +
  "expandDims expm1 fft floor floorDiv gather greater greaterEqual ifft irfft isFinite isInf isNaN leakyRelu less " +
  "lessEqual log log1p logSigmoid logSoftmax logSumExp logicalAnd logicalNot logicalOr logicalXor matMul max maximum " +
  "mean min minimum mirrorPad mod mul neg norm notEqual oneHot onesLike pad pool pow prelu prod reciprocal relu relu6 " +
  "reshape reverse rfft round rsqrt selu sigmoid sign sin sinh slice softmax softplus spaceToBatchND split sqrt square " +
  "squaredDifference squeeze step stridedSlice sub sum tan tanh tile topk transpose unique unstack zerosLike"
).split(" ");

type Method = (this: tf.Tensor, ...args: never[]) => unknown;
const ops = tf as unknown as Record<string, (...args: unknown[]) => unknown>;
const others = (x: tf.Tensor | tf.Tensor[]): tf.Tensor[] => (x instanceof tf.Tensor ? [x] : x);

const SPECIAL: Record<string, Method> = {
  as1D(this: tf.Tensor) { return tf.reshape(this, [this.size]); },
  flatten(this: tf.Tensor) { return tf.reshape(this, [this.size]); },
  as2D(this: tf.Tensor, r: number, c: number) { return tf.reshape(this, [r, c]); },
  as3D(this: tf.Tensor, r: number, c: number, d: number) { return tf.reshape(this, [r, c, d]); },
  as4D(this: tf.Tensor, r: number, c: number, d: number, d2: number) { return tf.reshape(this, [r, c, d, d2]); },
  as5D(this: tf.Tensor, r: number, c: number, d: number, d2: number, d3: number) { return tf.reshape(this, [r, c, d, d2, d3]); },
  asScalar(this: tf.Tensor) { return tf.reshape(this, []); },
  asType(this: tf.Tensor, dtype: tf.DataType) { return tf.cast(this, dtype); },
  toFloat(this: tf.Tensor) { return tf.cast(this, "float32"); },
  toInt(this: tf.Tensor) { return tf.cast(this, "int32"); },
  toBool(this: tf.Tensor) { return tf.cast(this, "bool"); },
  reshapeAs(this: tf.Tensor, x: tf.Tensor) { return tf.reshape(this, x.shape); },
  concat(this: tf.Tensor, x: tf.Tensor | tf.Tensor[], axis?: number) { return tf.concat([this, ...others(x)], axis); },
  stack(this: tf.Tensor, x: tf.Tensor | tf.Tensor[], axis?: number) { return tf.stack([this, ...others(x)], axis); },
  where(this: tf.Tensor, condition: tf.Tensor, x: tf.Tensor) { return tf.where(condition, this, x); },
};

const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
for (const name of SAME_AS_OP) {
  if (typeof proto[name] === "function" || typeof ops[name] !== "function") continue;
  proto[name] = function (this: tf.Tensor, ...args: unknown[]) {
    this.throwIfDisposed();
    return ops[name](this, ...args);
  };
}
for (const [name, fn] of Object.entries(SPECIAL)) {
  if (typeof proto[name] === "function") continue;
  proto[name] = function (this: tf.Tensor, ...args: never[]) {
    this.throwIfDisposed();
    return fn.apply(this, args);
  };
}
