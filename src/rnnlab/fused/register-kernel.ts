/**
 * Registers one of rnnlab's fused ops with tfjs: its forward kernel on every backend rnnlab
 * runs on, and its gradient. Once per process: the tests load both the sources and the build,
 * and tfjs warns on a second registration.
 */
import * as tf from "@tensorflow/tfjs-core";

export type FusedKernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }) => tf.TensorInfo | tf.TensorInfo[];

interface EngineState {
  gradientDepth: number;
}

/** Whether tfjs is recording for a gradient; when it is not, a kernel keeps nothing for backward. */
export function recordingGradients(): boolean {
  return ((tf.engine() as unknown as { state: EngineState }).state.gradientDepth ?? 1) > 0;
}

export function registerFusedKernel(kernelName: string, kernelFunc: FusedKernelFunc, gradFunc: tf.GradFunc): void {
  if (tf.getGradient(kernelName) === undefined) tf.registerGradient({ kernelName, gradFunc });
  for (const backendName of ["cpu", "wasm", "tensorflow"]) {
    if (tf.getKernel(kernelName, backendName) === undefined) {
      tf.registerKernel({ kernelName, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
    }
  }
}
