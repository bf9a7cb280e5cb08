import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { ready } from "../../src/rnnlab";
import { rnnKernel } from "../../src/rnnlab/fused/cell-kernels";
import { recurrence, type RecurrenceSpec } from "../../src/rnnlab/fused/recurrence";
import { wasmKernelsStatus } from "../../src/rnnlab/fused/wasm-kernels";

beforeAll(async () => {
  await ready();
});

function random(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, "float32", seed);
}

/** Output, final state and every gradient of one layer-direction, through `kernel`. */
function run(kernel: ReturnType<typeof rnnKernel>, reverse: boolean, batchFirst: boolean) {
  const [T, B, I, H] = [7, 3, 5, 6];
  const spec: RecurrenceSpec = {
    kernel, reverse, inputSize: I, hiddenSize: H,
    weightIh: 0, weightHh: H * I, biasIh: H * (I + H), biasHh: H * (I + H) + H,
    inputBatchFirst: batchFirst, outputBatchFirst: batchFirst, stateIndex: 1,
  };
  const x = random(batchFirst ? [B, T, I] : [T, B, I], 1) as tf.Tensor3D;
  const flat = tf.mul(random([H * (I + H + 2)], 2), 0.6) as tf.Tensor1D;
  const h0 = random([2, B, H], 3) as tf.Tensor3D;
  const weights = random(batchFirst ? [B, T, H] : [T, B, H], 4);
  const loss = (xx: tf.Tensor, ff: tf.Tensor, hh: tf.Tensor) => {
    const r = recurrence(spec, xx as tf.Tensor3D, ff as tf.Tensor1D, hh as tf.Tensor3D);
    return tf.add(tf.sum(tf.mul(r.output, weights)), tf.sum(tf.square(r.h)));
  };
  const r = recurrence(spec, x, flat, h0);
  const grads = tf.grads(loss)([x, flat, h0]);
  return [r.output, r.h, ...grads].map((t) => t.dataSync() as Float32Array);
}

describe("the vanilla RNN's WebAssembly time loop", () => {
  it("is built and used", () => {
    expect(wasmKernelsStatus().simd).toBe(true);
    expect(rnnKernel("tanh").forwardSequence).toBeTypeOf("function");
    expect(rnnKernel("tanh", false).forwardSequence).toBeUndefined();
  });

  for (const nonlinearity of ["tanh", "relu"] as const) {
    for (const reverse of [false, true]) {
      for (const batchFirst of [false, true]) {
        it(`gives the JavaScript step loop's numbers exactly: ${nonlinearity}, reverse ${reverse}, batchFirst ${batchFirst}`, () => {
          const names = ["output", "h", "d input", "d weights", "d h0"];
          const wasm = run(rnnKernel(nonlinearity, true), reverse, batchFirst);
          const js = run(rnnKernel(nonlinearity, false), reverse, batchFirst);
          for (let i = 0; i < names.length; i++) {
            expect(wasm[i].length, names[i]).toBe(js[i].length);
            expect(wasm[i].some((v) => v !== 0), `${names[i]} is not all zeros`).toBe(true);
            expect(Array.from(wasm[i]), names[i]).toEqual(Array.from(js[i]));
          }
        });
      }
    }
  }
});
