/**
 * Initial states in the forms PyTorch users type: LSTM's tuple `[h0, c0]`, `h0` alone for RNN
 * and GRU, and rnnlab's own `{h, c}`. Any other form is an error naming `state`, never a
 * silent start from zeros.
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell, manualSeed, ready } from "../../src/rnnlab";
import { maxAbsDiff, randn } from "./helpers";

beforeAll(async () => {
  await ready();
});

const impls = ["fused", "reference"] as const;

describe.each(impls)("LSTM state forms (%s)", (impl) => {
  const make = () => {
    manualSeed(3);
    return new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, impl });
  };
  const x = randn([5, 2, 3], 1);
  const h0 = randn([2, 2, 4], 2) as tf.Tensor3D;
  const c0 = randn([2, 2, 4], 3) as tf.Tensor3D;

  it("PyTorch's tuple [h0, c0] is the same state as {h, c}", () => {
    const m = make();
    const a = m.forward(x, [h0, c0]);
    const b = m.forward(x, { h: h0, c: c0 });
    const zeros = m.forward(x);
    expect(maxAbsDiff(a.output, b.output)).toBe(0);
    expect(maxAbsDiff(a.c, b.c)).toBe(0);
    expect(maxAbsDiff(a.output, zeros.output)).toBeGreaterThan(1e-3);
  });

  it("the result's c is a tensor, and a state carried from a result goes back in as it came", () => {
    const m = make();
    const first = m.forward(x);
    const again = m.forward(x, [first.h, first.c]);
    const same = m.forward(x, first);
    expect(again.c.shape).toEqual([2, 2, 4]);
    expect(maxAbsDiff(again.output, same.output)).toBe(0);
  });

  it("rejects {h0, c0}, a one-element tuple, a single tensor and a number, naming state and what came", () => {
    const m = make();
    expect(() => m.forward(x, { h0, c0 } as never)).toThrow(/LSTM\.forward: state: expected \[h0, c0\] \(PyTorch's tuple\) or \{h, c\}, got an object with keys h0, c0\./);
    expect(() => m.forward(x, [h0] as never)).toThrow(/LSTM\.forward: state: expected \[h0, c0\].*got an array of length 1\./);
    expect(() => m.forward(x, h0 as never)).toThrow(/LSTM\.forward: state: expected \[h0, c0\].*got a tensor of shape \[2, 2, 4\]/);
    expect(() => m.forward(x, 3 as never)).toThrow(/LSTM\.forward: state: expected \[h0, c0\].*got 3\./);
    expect(() => m.forward(x, [h0, "c"] as never)).toThrow(/LSTM\.forward: state\[1\] \(c0\): expected a tensor of shape \[2, 2, 4\].*got "c"/);
  });
});

describe.each(impls)("RNN and GRU state forms (%s)", (impl) => {
  for (const Make of [RNN, GRU]) {
    it(`${Make.name}: h0 alone, {h} and [h0] agree; {h0}, {c} and [h0, c0] are errors`, () => {
      manualSeed(4);
      const m = new Make({ inputSize: 3, hiddenSize: 4, impl });
      const x = randn([5, 2, 3], 1);
      const h0 = randn([1, 2, 4], 2) as tf.Tensor3D;
      const a = m.forward(x, h0);
      expect(maxAbsDiff(a.output, m.forward(x, { h: h0 }).output)).toBe(0);
      expect(maxAbsDiff(a.output, m.forward(x, [h0]).output)).toBe(0);
      expect(maxAbsDiff(a.output, m.forward(x).output)).toBeGreaterThan(1e-3);
      const name = Make.name;
      expect(() => m.forward(x, { h0 } as never)).toThrow(new RegExp(`${name}\\.forward: state: expected h0 .* or \\{h\\}, got an object with keys h0\\.`));
      expect(() => m.forward(x, { h: h0, c: h0 } as never)).toThrow(new RegExp(`${name}\\.forward: state: .*got an object with keys h, c\\.`));
      expect(() => m.forward(x, [h0, h0] as never)).toThrow(new RegExp(`${name}\\.forward: state: .*got an array of length 2\\.`));
    });
  }
});

describe("cells take PyTorch's forms too", () => {
  it("LSTMCell accepts [h, c] like nn.LSTMCell and rejects {h0, c0}", () => {
    manualSeed(5);
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 4 });
    const x = randn([2, 3], 1);
    const h = randn([2, 4], 2) as tf.Tensor2D;
    const c = randn([2, 4], 3) as tf.Tensor2D;
    const a = cell.step(x, [h, c]);
    const b = cell.step(x, { h, c });
    expect(maxAbsDiff(a.h, b.h)).toBe(0);
    expect(maxAbsDiff(a.c, b.c)).toBe(0);
    expect(() => cell.step(x, { h0: h, c0: c } as never)).toThrow(/LSTMCell\.step: state: expected \[h, c\] \(PyTorch's tuple\) or \{h, c\}, got an object with keys h0, c0\./);
    expect(() => cell.step(x, h as never)).toThrow(/LSTMCell\.step: state: expected \[h, c\].*got a tensor of shape \[2, 4\]/);
  });
  it("GRUCell and RNNCell reject a state that is not a tensor", () => {
    const x = randn([2, 3], 1);
    for (const cell of [new GRUCell({ inputSize: 3, hiddenSize: 4 }), new RNNCell({ inputSize: 3, hiddenSize: 4 })]) {
      expect(() => cell.step(x, { h: tf.zeros([2, 4]) } as never)).toThrow(new RegExp(`${cell.constructor.name}\\.step: h: expected a tensor of shape \\[2, 4\\].*got a Object|${cell.constructor.name}\\.step: h: expected a tensor of shape \\[2, 4\\].*got an object`));
    }
  });
});
