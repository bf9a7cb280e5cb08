/**
 * The GRU's steps in WebAssembly SIMD against the JavaScript kernels (f64 arithmetic): the
 * reset-after gates (simd/gru.as.ts) and the reset-before step with its W_hn product
 * (simd/gru-reset-before.as.ts). The same equations, so the outputs, the final state and every
 * gradient agree to float32 rounding, in both directions.
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { ready } from "../../src/rnnlab";
import { gruKernel, makeGruKernel, type CellKernel } from "../../src/rnnlab/fused/cell-kernels";
import { gruResetBeforeKernel, makeGruResetBeforeKernel } from "../../src/rnnlab/fused/gru-reset-before-kernel";
import { recurrence, type RecurrenceSpec } from "../../src/rnnlab/fused/recurrence";

beforeAll(async () => {
  await ready();
});

function run(make: (useWasm: boolean) => CellKernel, useWasm: boolean, B: number, H: number, scale: number, reverse: boolean) {
  const [T, I] = [9, 5];
  const G = 3 * H;
  const spec: RecurrenceSpec = {
    kernel: make(useWasm), reverse, inputSize: I, hiddenSize: H,
    weightIh: 0, weightHh: G * I, biasIh: G * (I + H), biasHh: G * (I + H) + G,
    inputBatchFirst: false, outputBatchFirst: false, stateIndex: 0,
  };
  const x = tf.randomNormal([T, B, I], 0, 1, "float32", 1) as tf.Tensor3D;
  // Large weights push pre-activations past tanh's clamp at ±9, small ones keep them near 0.
  const flat = tf.mul(tf.randomNormal([G * (I + H + 2)], 0, 1, "float32", 2), scale) as tf.Tensor1D;
  const h0 = tf.randomNormal([1, B, H], 0, 1, "float32", 3) as tf.Tensor3D;
  const w = tf.randomNormal([T, B, H], 0, 1, "float32", 5);
  const loss = (xx: tf.Tensor, ff: tf.Tensor, hh: tf.Tensor) => {
    const r = recurrence(spec, xx as tf.Tensor3D, ff as tf.Tensor1D, hh as tf.Tensor3D);
    return tf.add(tf.sum(tf.mul(r.output, w)), tf.sum(tf.square(r.h)));
  };
  const r = tf.tidy(() => recurrence(spec, x, flat, h0));
  const grads = tf.grads(loss)([x, flat, h0]);
  return [r.output, r.h, ...grads].map((t) => t.dataSync() as Float32Array);
}

function maxRel(a: Float32Array, b: Float32Array): number {
  let d = 0, s = 1e-6;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
}

const forms = [
  ["reset-after", makeGruKernel, gruKernel, "gru_wasm"],
  ["reset-before", makeGruResetBeforeKernel, gruResetBeforeKernel, "gru_reset_before_wasm"],
] as const;

describe.each(forms)("the %s GRU's step in WebAssembly", (_form, make, byDefault, wasmName) => {
  it("is used by the default kernel", () => {
    expect(make(true).name).toBe(wasmName);
    expect(byDefault.name).toBe(wasmName);
  });
  // H 6 is not a multiple of 4: that one runs the JavaScript loop in both.
  const cases = [[3, 8, 0.5, false], [5, 4, 3, false], [2, 12, 0.05, true], [3, 6, 0.5, false], [33, 32, 0.3, true], [1, 16, 0.5, false]] as const;
  for (const [B, H, scale, reverse] of cases) {
    it(`matches the JavaScript kernel (B ${B}, H ${H}, weight scale ${scale}, reverse ${reverse})`, () => {
      const wasm = run(make, true, B, H, scale, reverse);
      const js = run(make, false, B, H, scale, reverse);
      const names = ["output", "h", "dx", "dflat", "dh0"];
      // f32 rounds after every operation where JavaScript rounds once per stored value. Weights of
      // scale 3 amplify that step by step: the reset-after output differs by 1.2e-7 after 1 step,
      // 2.4e-7 after 3 and 7.1e-7 after 9, and ∂h0, back through all 9, by 8.4e-6.
      const tolerance = scale > 1 ? 2e-5 : 2e-6;
      names.forEach((name, i) => expect(maxRel(wasm[i], js[i]), name).toBeLessThan(tolerance));
    });
  }
});
