/**
 * The LSTM's time loop in WebAssembly SIMD (simd/lstm.as.ts, f32x4 gates and gemm) against the
 * JavaScript kernel (f64 arithmetic): the same equations, so the outputs, states and every
 * gradient agree to float32 rounding, in both directions.
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { ready } from "../../src/rnnlab";
import { lstmKernel, makeLstmKernel } from "../../src/rnnlab/fused/cell-kernels";
import { recurrence, type RecurrenceSpec } from "../../src/rnnlab/fused/recurrence";
import { wasmKernelsStatus } from "../../src/rnnlab/fused/wasm-kernels";

beforeAll(async () => {
  await ready();
});

function run(useWasm: boolean, B: number, H: number, scale: number, reverse: boolean) {
  const [T, I] = [9, 5];
  const G = 4 * H;
  const spec: RecurrenceSpec = {
    kernel: makeLstmKernel(useWasm), reverse, inputSize: I, hiddenSize: H,
    weightIh: 0, weightHh: G * I, biasIh: G * (I + H), biasHh: G * (I + H) + G,
    inputBatchFirst: false, outputBatchFirst: false, stateIndex: 0,
  };
  const x = tf.randomNormal([T, B, I], 0, 1, "float32", 1) as tf.Tensor3D;
  // Large weights push pre-activations past tanh's clamp at ±9, small ones keep them near 0.
  const flat = tf.mul(tf.randomNormal([G * (I + H + 2)], 0, 1, "float32", 2), scale) as tf.Tensor1D;
  const h0 = tf.randomNormal([1, B, H], 0, 1, "float32", 3) as tf.Tensor3D;
  const c0 = tf.randomNormal([1, B, H], 0, 1, "float32", 4) as tf.Tensor3D;
  const w = tf.randomNormal([T, B, H], 0, 1, "float32", 5);
  const loss = (xx: tf.Tensor, ff: tf.Tensor, hh: tf.Tensor, cc: tf.Tensor) => {
    const r = recurrence(spec, xx as tf.Tensor3D, ff as tf.Tensor1D, hh as tf.Tensor3D, cc as tf.Tensor3D);
    return tf.add(tf.sum(tf.mul(r.output, w)), tf.add(tf.sum(tf.square(r.h)), tf.sum(r.c!)));
  };
  const r = tf.tidy(() => recurrence(spec, x, flat, h0, c0));
  const grads = tf.grads(loss)([x, flat, h0, c0]);
  return [r.output, r.h, r.c!, ...grads].map((t) => t.dataSync() as Float32Array);
}

function maxRel(a: Float32Array, b: Float32Array): number {
  let d = 0, s = 1e-6;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
}

describe("the LSTM's gates in WebAssembly", () => {
  it("are built and used by the default kernel when H is a multiple of 4", () => {
    expect(wasmKernelsStatus().simd).toBe(true);
    expect(makeLstmKernel(true).name).toBe("lstm_wasm");
    expect(lstmKernel.name).toBe("lstm_wasm");
  });
  // B 5 and 33 leave rows past the gemm's 4-row blocks; H 8 and 32 fill its 8-column blocks.
  const cases = [[3, 8, 0.5, false], [5, 4, 3, false], [2, 12, 0.05, false], [3, 6, 0.5, false], [5, 8, 0.5, true], [33, 32, 0.3, true], [1, 16, 0.5, true]] as const;
  for (const [B, H, scale, reverse] of cases) {
    it(`match the JavaScript kernel (B ${B}, H ${H}, weight scale ${scale}, reverse ${reverse})`, () => {
      const wasm = run(true, B, H, scale, reverse);
      const js = run(false, B, H, scale, reverse);
      const names = ["output", "h", "c", "dx", "dflat", "dh0", "dc0"];
      names.forEach((name, i) => expect(maxRel(wasm[i], js[i]), name).toBeLessThan(2e-6));
    });
  }
});
