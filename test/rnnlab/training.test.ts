import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { LSTM, Linear, Module, clipGradNorm, clipGradValue, globalNorm, manualSeed, mse, ready, trainStep, trainTBPTT, type Grads } from "../../src/rnnlab";
import { maxRelDiff, randn } from "./helpers";

beforeAll(async () => {
  await ready();
});

type S = { h: tf.Tensor3D; c: tf.Tensor3D };

describe("truncated BPTT", () => {
  it("the last chunk's gradients equal full BPTT's on that chunk with the incoming state held constant", () => {
    manualSeed(3);
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4 });
    const [T, k, B] = [12, 4, 2];
    const x = randn([T, B, 3], 1);
    const y = randn([T, B, 4], 2);
    let last: Grads = {};
    trainTBPTT({
      module: lstm, optimizer: tf.train.sgd(0), inputs: x, targets: y, chunkLength: k,
      forward: (xc, yc, s) => {
        const o = lstm.forward(xc, s as S | undefined);
        return { loss: mse(o.output, yc), state: { h: o.h, c: o.c! } };
      },
      onChunk: ({ grads }) => (last = Object.fromEntries(Object.entries(grads).map(([n, g]) => [n, tf.keep(g.clone())]))),
    });
    // Full BPTT over all T steps, with the loss on the last chunk only; a stop-gradient at the
    // chunk boundary holds the incoming state constant.
    const stop = tf.customGrad((t: tf.Tensor) => ({ value: t.clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }));
    const lossWith = (detach: boolean) => () => {
      const first = lstm.forward(tf.slice(x, 0, T - k));
      const h = detach ? (stop(first.h) as tf.Tensor3D) : first.h;
      const c = detach ? (stop(first.c!) as tf.Tensor3D) : first.c!;
      const o = lstm.forward(tf.slice(x, T - k, k), { h, c });
      return mse(o.output, tf.slice(y, T - k, k));
    };
    const full = lstm.gradients(lossWith(true)).grads;
    const leaky = lstm.gradients(lossWith(false)).grads;
    expect(Object.keys(last)).toEqual(lstm.namedParameters().map(([n]) => n));
    let differs = 0;
    for (const name of Object.keys(last)) {
      expect(maxRelDiff(last[name], full[name]), name).toBeLessThan(1e-5);
      differs = Math.max(differs, maxRelDiff(last[name], leaky[name]));
    }
    // Without the stop-gradient the gradients flow into earlier chunks and differ: the test can tell.
    expect(differs).toBeGreaterThan(1e-3);
  });

  it("trains: the loss falls over epochs, and chunks are clipped before the step", () => {
    manualSeed(4);
    const lstm = new LSTM({ inputSize: 1, hiddenSize: 8 });
    const head = new Linear(8, 1);
    const T = 60;
    const t = Array.from({ length: T + 1 }, (_, i) => Math.sin(i / 3));
    const x = tf.tensor3d(t.slice(0, T), [T, 1, 1]);
    const y = tf.tensor3d(t.slice(1), [T, 1, 1]);
    const opt = tf.train.adam(0.02);
    class Forecaster extends Module {
      constructor() {
        super("Forecaster");
        this.registerModule("lstm", lstm);
        this.registerModule("head", head);
      }
      describe() {
        return "Forecaster";
      }
    }
    const both = new Forecaster();
    expect(both.namedParameters().map(([n]) => n)).toContain("head.weight");
    const epochLoss: number[] = [];
    let maxNorm = 0;
    for (let e = 0; e < 30; e++) {
      const r = trainTBPTT({
        module: both, optimizer: opt, inputs: x, targets: y, chunkLength: 15, maxNorm: 1,
        forward: (xc, yc, s) => {
          const o = lstm.forward(xc, s as S | undefined);
          return { loss: mse(head.forward(o.output), yc), state: { h: o.h, c: o.c! } };
        },
        onChunk: ({ grads }) => (maxNorm = Math.max(maxNorm, globalNorm(grads))),
      });
      tf.dispose(Object.values(r.state ?? {}));
      epochLoss.push(r.losses.reduce((a, b) => a + b) / r.losses.length);
    }
    expect(epochLoss[29]).toBeLessThan(epochLoss[0] * 0.2);
    expect(maxNorm).toBeLessThanOrEqual(1 + 1e-5);
  });
});

describe("gradient clipping", () => {
  const grads = () => ({ a: tf.tensor1d([3, 4]), b: tf.tensor2d([[12]]) }); // global norm 13

  it("clipGradNorm returns the norm before clipping and scales everything to maxNorm, keeping the direction", () => {
    const { grads: g, totalNorm } = clipGradNorm(grads(), 6.5);
    expect(totalNorm).toBeCloseTo(13, 5);
    expect(globalNorm(g)).toBeLessThanOrEqual(6.5 + 1e-5);
    expect(globalNorm(g)).toBeCloseTo(6.5, 4);
    expect(Array.from(g.a.dataSync())).toEqual([expect.closeTo(1.5, 5), expect.closeTo(2, 5)]);
    expect(g.b.dataSync()[0]).toBeCloseTo(6, 5);
  });

  it("leaves gradients under maxNorm untouched", () => {
    const { grads: g, totalNorm } = clipGradNorm(grads(), 100);
    expect(totalNorm).toBeCloseTo(13, 5);
    expect(Array.from(g.a.dataSync())).toEqual([3, 4]);
    expect(g.b.dataSync()[0]).toBe(12);
  });

  it("clipGradValue clamps each element, which can turn the direction", () => {
    const g = clipGradValue(grads(), 3.5);
    expect(Array.from(g.a.dataSync())).toEqual([3, 3.5]);
    expect(g.b.dataSync()[0]).toBe(3.5);
  });

  it("rejects a bad maxNorm or clip value, naming the argument", () => {
    expect(() => clipGradNorm(grads(), 0)).toThrow(/maxNorm: expected a positive number, got 0/);
    expect(() => clipGradValue(grads(), -1)).toThrow(/clipValue: expected a positive number, got -1/);
  });
});

describe("resources and determinism", () => {
  it("does not leak tensors over 100 training steps", () => {
    manualSeed(5);
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 6, numLayers: 2, bidirectional: true, dropout: 0.2 });
    const x = randn([5, 2, 3], 1);
    const y = randn([5, 2, 12], 2);
    const opt = tf.train.adam(1e-3);
    const step = () => trainStep(lstm, opt, () => mse(lstm.forward(x).output, y), { maxNorm: 1 });
    step(); // Adam creates its moment tensors on the first step
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) step();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("the same seed gives the same weights and the same losses, bit for bit", () => {
    const run = () => {
      manualSeed(42);
      const lstm = new LSTM({ inputSize: 3, hiddenSize: 6, numLayers: 2, dropout: 0.3 });
      const x = randn([5, 2, 3], 1);
      const y = randn([5, 2, 6], 2);
      const opt = tf.train.adam(1e-2);
      const losses = Array.from({ length: 5 }, () => trainStep(lstm, opt, () => mse(lstm.forward(x).output, y)).loss);
      return { w: Array.from(lstm.stateDict().weight_hh_l1.dataSync()), losses };
    };
    const a = run();
    const b = run();
    expect(b.w).toEqual(a.w);
    expect(b.losses).toEqual(a.losses);
    manualSeed(43);
    const other = new LSTM({ inputSize: 3, hiddenSize: 6, numLayers: 2 });
    expect(Array.from(other.stateDict().weight_hh_l1.dataSync())).not.toEqual(a.w);
  });
});
