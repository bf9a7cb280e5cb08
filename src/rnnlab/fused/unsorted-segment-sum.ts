/**
 * tf.unsortedSegmentSum for the wasm backend, which tfjs-wasm 4.22 does not have.
 *
 * tfjs's gradient of tf.gather is a segment sum, so without this kernel
 * `tf.gather(h, numLayers - 2)` (PyTorch's `h_n[-2]`, the last layer but one) trains on cpu
 * and fails on wasm in backward with "Kernel 'UnsortedSegmentSum' not registered".
 *
 *   out[s, …] = Σ over i with segmentIds[i] = s of x[i, …]
 *
 * segmentIds has the shape of x's leading dimensions; ids outside [0, numSegments) are
 * dropped, as in TensorFlow. A plain loop: the gathers this serves are a few rows of a state.
 */
import * as tf from "@tensorflow/tfjs-core";

function unsortedSegmentSum({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
  const inner = x.shape.slice(segmentIds.shape.length).reduce((a, b) => a * b, 1);
  const values = backend.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = backend.readSync(segmentIds.dataId) as Int32Array;
  const out = x.dtype === "int32" ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    for (let j = 0; j < inner; j++) out[s * inner + j] += values[i * inner + j];
  }
  const shape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  return { dataId: backend.write(out, shape, x.dtype), shape, dtype: x.dtype };
}

/** Registers the kernel where the backend lacks it (wasm); cpu and tfjs-node keep their own. */
export function registerMissingSegmentSum(): void {
  for (const backendName of ["wasm"]) {
    if (tf.getKernel("UnsortedSegmentSum", backendName) === undefined) {
      tf.registerKernel({ kernelName: "UnsortedSegmentSum", backendName, kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc });
    }
  }
}

registerMissingSegmentSum();
