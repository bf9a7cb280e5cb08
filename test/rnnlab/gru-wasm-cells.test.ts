/**
 * The reset-after GRU's gates in WebAssembly SIMD (simd/gru.as.ts, f32x4) against the
 * JavaScript kernel (f64 arithmetic): the same equations, so the outputs, the final state and
 * every gradient agree to float32 rounding, in both directions.
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { ready } from "../../src/rnnlab";
import { gruKernel, makeGruKernel } from "../../src/rnnlab/fused/cell-kernels";
import { recurrence, type RecurrenceSpec } from "../../src/rnnlab/fused/recurrence";

beforeAll(async () => {
  await ready();
});

function run(useWasm: boolean, B: number, H: number, scale: number, reverse: boolean) {
  const [T, I] = [9, 5];
  const G = 3 * H;
  const spec: RecurrenceSpec = {
    kernel: makeGruKernel(useWasm), reverse, inputSize: I, hiddenSize: H,
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

describe("the reset-after GRU's gates in WebAssembly", () => {
  it("are used by the default kernel", () => {
    expect(makeGruKernel(true).name).toBe("gru_wasm");
    expect(gruKernel.name).toBe("gru_wasm");
  });
  // H 6 is not a multiple of 4: that one runs the JavaScript loop in both.
  const cases = [[3, 8, 0.5, false], [5, 4, 3, false], [2, 12, 0.05, true], [3, 6, 0.5, false], [33, 32, 0.3, true], [1, 16, 0.5, false]] as const;
  for (const [B, H, scale, reverse] of cases) {
    it(`match the JavaScript kernel (B ${B}, H ${H}, weight scale ${scale}, reverse ${reverse})`, () => {
      const wasm = run(true, B, H, scale, reverse);
      const js = run(false, B, H, scale, reverse);
      const names = ["output", "h", "dx", "dflat", "dh0"];
      // f32 rounds after every operation where JavaScript rounds once per stored value. Weights of
      // scale 3 amplify that step by step: the output differs by 1.2e-7 after 1 step, 2.4e-7 after
      // 3 and 7.1e-7 after 9, and ∂h0, back through all 9, by 8.4e-6.
      const tolerance = scale > 1 ? 2e-5 : 2e-6;
      names.forEach((name, i) => expect(maxRel(wasm[i], js[i]), name).toBeLessThan(tolerance));
    });
  }
});
