/**
 * The mean squared error as one tfjs kernel:
 *   forward   L = (1/n) Σ (p − y)²
 *   backward  ∂L/∂p = (2/n)(p − y)·∂L    ∂L/∂y = −∂L/∂p
 * Written with tfjs ops it is three kernels forward and about five backward, each with tfjs's
 * fixed cost per kernel; at the course's small sizes that is a fifth of a training step.
 */
import * as tf from "@tensorflow/tfjs-core";
import { recordingGradients, registerFusedKernel } from "./register-kernel";

const KERNEL_NAME = "RnnlabMeanSquaredError";

/** ∂L/∂p for ∂L = 1, (2/n)(p − y), left on the kernel's attrs (which tfjs keeps on its tape). */
type Attrs = { grad?: Float32Array; shape: number[] };

function forwardKernel({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { prediction, target } = inputs as { prediction: tf.TensorInfo; target: tf.TensorInfo };
  const p = backend.readSync(prediction.dataId) as Float32Array;
  const y = backend.readSync(target.dataId) as Float32Array;
  const n = p.length;
  // Outside a gradient (evaluation) nothing is kept for backward.
  const grad = recordingGradients() ? new Float32Array(n) : null;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = p[i] - y[i];
    if (grad) grad[i] = (2 / n) * d;
    sum += d * d;
  }
  if (grad) (attrs as unknown as Attrs).grad = grad;
  const value = new Float32Array([n === 0 ? NaN : sum / n]);
  return { dataId: backend.write(value, [], "float32"), shape: [], dtype: "float32" };
}

registerFusedKernel(KERNEL_NAME, forwardKernel, (dy, _saved, attrs) => {
  const { grad, shape } = attrs as unknown as Attrs;
  const scale = (dy as tf.Tensor).dataSync()[0];
  const scaled = (s: number) => () => {
    if (s === 1) return tf.tensor(grad!, shape, "float32");
    const g = new Float32Array(grad!.length);
    for (let i = 0; i < g.length; i++) g[i] = s * grad![i];
    return tf.tensor(g, shape, "float32");
  };
  return { prediction: scaled(scale), target: scaled(-scale) };
});

/** mean((prediction − target)²) over every element; both the same shape (the caller checks). */
export function meanSquaredError(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  // A fresh attrs object per call: the forward pass leaves its difference on it.
  const attrs = { shape: prediction.shape } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(KERNEL_NAME, { prediction, target }, attrs) as tf.Scalar;
}
