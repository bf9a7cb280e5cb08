/**
 * The loop PyTorch users write by hand, without trainStep:
 *   loss.backward()               model.gradients(lossFn)      grads by PyTorch name
 *   clip_grad_norm_(…, maxNorm)   clipGradNorm(grads, maxNorm)
 *   optimizer.step()              model.applyGradients(optimizer, grads)
 * and namedParameters() values that follow the updates.
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { GRU, LSTM, Linear, Module, clipGradNorm, manualSeed, mse, ready, trainStep } from "../../src/rnnlab";
import { maxAbsDiff, randn } from "./helpers";

beforeAll(async () => {
  await ready();
});

class Forecaster extends Module {
  lstm = this.registerModule("lstm", new LSTM({ inputSize: 2, hiddenSize: 5, numLayers: 2, batchFirst: true }));
  head = this.registerModule("head", new Linear(5, 1));
  constructor() {
    super("Forecaster");
  }
  forward(x: tf.Tensor) {
    return this.head.forward(this.lstm.forward(x).output);
  }
  describe() {
    return "Forecaster";
  }
}

describe("the manual loop: backward → clip → step", () => {
  const x = randn([3, 7, 2], 1);
  const y = randn([3, 7, 1], 2);

  it("gives exactly trainStep's update, with Adam, over several steps", () => {
    manualSeed(21);
    const a = new Forecaster();
    manualSeed(21);
    const b = new Forecaster();
    const optA = tf.train.adam(0.05);
    const optB = tf.train.adam(0.05);
    for (let step = 0; step < 4; step++) {
      trainStep(a, optA, () => mse(a.forward(x), y), { maxNorm: 0.5 });
      const { value, grads } = b.gradients(() => mse(b.forward(x), y));
      const { grads: clipped, totalNorm } = clipGradNorm(grads, 0.5);
      expect(totalNorm).toBeGreaterThan(0);
      b.applyGradients(optB, clipped);
      tf.dispose([value, grads, clipped]);
    }
    for (const [[name, pa], [nameB, pb]] of a.namedParameters().map((p, i) => [p, b.namedParameters()[i]])) {
      expect(nameB).toBe(name);
      expect(maxAbsDiff(pa, pb), name).toBeLessThan(1e-6);
    }
  });

  it("accepts a subset of the names (a frozen layer is not updated)", () => {
    manualSeed(22);
    const m = new Forecaster();
    const before = m.stateDict();
    const { value, grads } = m.gradients(() => mse(m.forward(x), y));
    const onlyHead = { "head.weight": grads["head.weight"], "head.bias": grads["head.bias"] };
    m.applyGradients(tf.train.sgd(0.1), onlyHead);
    const after = m.stateDict();
    expect(maxAbsDiff(after["lstm.weight_ih_l0"], before["lstm.weight_ih_l0"])).toBe(0);
    expect(maxAbsDiff(after["head.weight"], before["head.weight"])).toBeGreaterThan(1e-4);
    tf.dispose([value, grads, before, after]);
  });

  it("names an unknown gradient, a wrong shape and a missing optimizer", () => {
    manualSeed(23);
    const m = new GRU({ inputSize: 2, hiddenSize: 3 });
    const opt = tf.train.sgd(0.1);
    expect(() => m.applyGradients(opt, { weight_ih: tf.zeros([9, 2]) })).toThrow(
      /GRU\.applyGradients: grads: expected gradients named like the parameters \(weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0\), got an unknown name "weight_ih"/,
    );
    expect(() => m.applyGradients(opt, { weight_ih_l0: tf.zeros([2, 9]) })).toThrow(/GRU\.applyGradients: grads\.weight_ih_l0: expected shape \[9, 2\], got \[2, 9\]/);
    expect(() => m.applyGradients(undefined as never, {})).toThrow(/GRU\.applyGradients: optimizer: expected a tf\.train optimizer, got undefined/);
  });

  it("does not leak tensors over 20 manual steps", () => {
    manualSeed(24);
    const m = new Forecaster();
    const opt = tf.train.adam(0.01);
    const one = () => {
      const { value, grads } = m.gradients(() => mse(m.forward(x), y));
      const { grads: clipped } = clipGradNorm(grads, 1);
      m.applyGradients(opt, clipped);
      tf.dispose([value, grads, clipped]);
    };
    one();
    const n = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) one();
    expect(tf.memory().numTensors).toBe(n);
  });
});

describe("namedParameters() values are live", () => {
  it("a value held across an update shows the new weights, and holding it survives another namedParameters() call", () => {
    manualSeed(25);
    const m = new Forecaster();
    const held = new Map(m.namedParameters());
    const w = held.get("lstm.weight_hh_l1")!;
    const before = w.dataSync().slice();
    trainStep(m, tf.train.sgd(0.5), () => mse(m.forward(x()), y()));
    m.namedParameters();
    const now = m.stateDict()["lstm.weight_hh_l1"];
    expect(maxAbsDiff(w, now)).toBe(0);
    expect(maxAbsDiff(w, Array.from(before))).toBeGreaterThan(1e-5);
    function x() { return randn([3, 7, 2], 1); }
    function y() { return randn([3, 7, 1], 2); }
  });
});
