import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { GRU, LSTM, RNN, manualSeed, ready } from "../../src/rnnlab";
import type { RecurrentBase } from "../../src/rnnlab/layers/recurrent";
import { maxAbsDiff, maxRelDiff, randn } from "./helpers";

beforeAll(async () => {
  await ready();
});

type Make = (o: { numLayers: number; bidirectional: boolean; impl: "fused" | "reference"; batchFirst?: boolean }) => RecurrentBase;
const models: [string, Make][] = [
  ["RNN tanh", (o) => new RNN({ inputSize: 3, hiddenSize: 5, ...o })],
  ["RNN relu", (o) => new RNN({ inputSize: 3, hiddenSize: 5, nonlinearity: "relu", ...o })],
  ["LSTM", (o) => new LSTM({ inputSize: 3, hiddenSize: 5, ...o })],
  ["GRU", (o) => new GRU({ inputSize: 3, hiddenSize: 5, ...o })],
  ["GRU reset-before", (o) => new GRU({ inputSize: 3, hiddenSize: 5, resetAfter: false, ...o })],
];

describe.each(models)("%s runs as the fused kernel", (_name, make) => {
  it("one RnnlabRecurrence kernel per layer-direction, and no per-timestep products", async () => {
    const m = make({ numLayers: 2, bidirectional: true, impl: "fused" });
    const x = randn([6, 4, 3], 1);
    const forward = await tf.profile(() => m.forward(x).output);
    const launched = forward.kernels.map((k) => k.name);
    expect(launched.filter((k) => k === "RnnlabRecurrence").length).toBe(4);
    // The reference path would launch products at every timestep.
    expect(launched.filter((k) => k === "BatchMatMul").length).toBe(0);
  });
});

function pair(make: Make, numLayers: number, bidirectional: boolean) {
  manualSeed(7);
  const fused = make({ numLayers, bidirectional, impl: "fused" });
  manualSeed(7);
  const reference = make({ numLayers, bidirectional, impl: "reference" });
  return { fused, reference };
}

/** A loss that weighs every output, h and c differently, so all their gradients matter. */
function loss(m: RecurrentBase, x: tf.Tensor, state: { h: tf.Tensor3D; c?: tf.Tensor3D }): tf.Scalar {
  const r = m.forward(x, state);
  const w = randn(r.output.shape, 99);
  let l = tf.sum(tf.mul(tf.sin(r.output), w));
  l = tf.add(l, tf.sum(tf.square(r.h)));
  if (r.c) l = tf.add(l, tf.sum(tf.mul(r.c, 0.3)));
  return l as tf.Scalar;
}

describe.each(models)("%s fused op", (_name, make) => {
  for (const [numLayers, bidirectional] of [[1, false], [2, true]] as const) {
    it(`matches the readable per-timestep version (numLayers ${numLayers}, bidirectional ${bidirectional})`, () => {
      const { fused, reference } = pair(make, numLayers, bidirectional);
      const D = bidirectional ? 2 : 1;
      const x = randn([6, 4, 3], 1);
      const h = randn([numLayers * D, 4, 5], 2) as tf.Tensor3D;
      const c = randn([numLayers * D, 4, 5], 3) as tf.Tensor3D;
      const state = fused instanceof LSTM ? { h, c } : { h };
      const a = fused.forward(x, state);
      const b = reference.forward(x, state);
      expect(a.output.shape).toEqual([6, 4, D * 5]);
      expect(maxAbsDiff(a.output, b.output)).toBeLessThan(1e-6);
      expect(maxAbsDiff(a.h, b.h)).toBeLessThan(1e-6);
      if (b.c) expect(maxAbsDiff(a.c!, b.c)).toBeLessThan(1e-6);

      // Gradients of every parameter, the input and the initial state, against tfjs autodiff.
      const gradsOf = (m: RecurrentBase) => {
        const { grads } = m.gradients(() => loss(m, x, state));
        const inputGrads =
          m instanceof LSTM
            ? tf.grads((xx: tf.Tensor, hh: tf.Tensor, cc: tf.Tensor) => loss(m, xx, { h: hh as tf.Tensor3D, c: cc as tf.Tensor3D }))([x, h, c])
            : tf.grads((xx: tf.Tensor, hh: tf.Tensor) => loss(m, xx, { h: hh as tf.Tensor3D }))([x, h]);
        expect(Object.keys(grads)).toEqual(m.namedParameters().map(([n]) => n));
        return { params: Object.entries(grads), inputs: inputGrads };
      };
      const ga = gradsOf(fused);
      const gb = gradsOf(reference);
      for (let i = 0; i < ga.params.length; i++) {
        const [name, g] = ga.params[i];
        expect(gb.params[i][0]).toBe(name);
        expect(maxRelDiff(g, gb.params[i][1]), name).toBeLessThan(1e-4);
      }
      expect(maxRelDiff(ga.inputs[0], gb.inputs[0]), "d input").toBeLessThan(1e-4);
      expect(maxRelDiff(ga.inputs[1], gb.inputs[1]), "d h0").toBeLessThan(1e-4);
      if (fused instanceof LSTM) expect(maxRelDiff(ga.inputs[2], gb.inputs[2]), "d c0").toBeLessThan(1e-4);
    });
  }
});

describe.each(models)("%s fused op, batchFirst", (_name, make) => {
  it("matches the readable version with 2 bidirectional layers: the first reads (B, T, I), the last writes (B, T, D·H)", () => {
    const withLayout = (impl: "fused" | "reference") => {
      manualSeed(7);
      return make({ numLayers: 2, bidirectional: true, impl, batchFirst: true });
    };
    const fused = withLayout("fused");
    const reference = withLayout("reference");
    const x = randn([4, 6, 3], 1); // (B, T, I)
    const h = randn([4, 4, 5], 2) as tf.Tensor3D;
    const state = fused instanceof LSTM ? { h, c: randn([4, 4, 5], 3) as tf.Tensor3D } : { h };
    const a = fused.forward(x, state);
    const b = reference.forward(x, state);
    expect(a.output.shape).toEqual([4, 6, 10]);
    expect(maxAbsDiff(a.output, b.output)).toBeLessThan(1e-6);
    expect(maxAbsDiff(a.h, b.h)).toBeLessThan(1e-6);
    const dx = (m: RecurrentBase) => tf.grad((xx: tf.Tensor) => loss(m, xx, state))(x);
    expect(maxRelDiff(dx(fused), dx(reference)), "d input").toBeLessThan(1e-4);
    const ga = fused.gradients(() => loss(fused, x, state)).grads;
    const gb = reference.gradients(() => loss(reference, x, state)).grads;
    for (const name of Object.keys(gb)) expect(maxRelDiff(ga[name], gb[name]), name).toBeLessThan(1e-4);
  });
});

describe("GRU reset-before fused op above the size where products go to the backend's matMul", () => {
  it("matches the readable version at B 32, H 128 (W_hn's products on the backend route)", () => {
    const make = (impl: "fused" | "reference") => {
      manualSeed(8);
      return new GRU({ inputSize: 4, hiddenSize: 128, resetAfter: false, impl });
    };
    const fused = make("fused");
    const reference = make("reference");
    const x = randn([3, 32, 4], 1);
    const state = { h: tf.mul(randn([1, 32, 128], 2), 0.5) as tf.Tensor3D };
    expect(maxAbsDiff(fused.forward(x, state).output, reference.forward(x, state).output)).toBeLessThan(1e-5);
    const ga = fused.gradients(() => loss(fused, x, state)).grads;
    const gb = reference.gradients(() => loss(reference, x, state)).grads;
    for (const name of Object.keys(gb)) expect(maxRelDiff(ga[name], gb[name]), name).toBeLessThan(1e-4);
  });
});
