/**
 * Input that used to pass silently, or fail with someone else's message. Each error names the
 * argument, what was expected and what came.
 */
import * as tf from "@tensorflow/tfjs-core";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell, clipGradNorm, crossEntropy, manualSeed, ready } from "../../src/rnnlab";
import { maxAbsDiff, randn } from "./helpers";

beforeAll(async () => {
  await ready();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("options", () => {
  it("unknown keys are rejected with the name and a suggestion", () => {
    expect(() => new LSTM({ inputSize: 2, hiddenSize: 3, batch_first: true } as never)).toThrow(
      'LSTM: options: unknown option "batch_first" (did you mean "batchFirst"?); expected some of inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, impl.',
    );
    expect(() => new LSTM({ inputSize: 2, hiddenSize: 3, nonlinearity: "relu" } as never)).toThrow(/LSTM: options: unknown option "nonlinearity"; expected some of/);
    expect(() => new RNN({ inputSize: 2, hiddenSize: 3, num_layers: 2 } as never)).toThrow(/RNN: options: unknown option "num_layers" \(did you mean "numLayers"\?\)/);
    expect(() => new GRU({ input_size: 2, hiddenSize: 3 } as never)).toThrow(/GRU: options: unknown option "input_size" \(did you mean "inputSize"\?\)/);
    expect(() => new GRUCell({ inputSize: 2, hiddenSize: 3, reset_after: false } as never)).toThrow(/GRUCell: options: unknown option "reset_after" \(did you mean "resetAfter"\?\)/);
    expect(() => new LSTMCell({ inputSize: 2, hiddenSize: 3, numLayers: 2 } as never)).toThrow(/LSTMCell: options: unknown option "numLayers"/);
    // The options every layer knows still work.
    expect(new RNN({ inputSize: 2, hiddenSize: 3, nonlinearity: "relu" }).nonlinearity).toBe("relu");
    expect(new GRU({ inputSize: 2, hiddenSize: 3, resetAfter: false }).resetAfter).toBe(false);
  });

  it("bidirectional, batchFirst, bias and resetAfter must be booleans", () => {
    expect(() => new LSTM({ inputSize: 2, hiddenSize: 3, bidirectional: "no" as never })).toThrow('LSTM: bidirectional: expected true or false, got "no".');
    expect(() => new GRU({ inputSize: 2, hiddenSize: 3, batchFirst: 1 as never })).toThrow("GRU: batchFirst: expected true or false, got 1.");
    expect(() => new RNN({ inputSize: 2, hiddenSize: 3, bias: "false" as never })).toThrow('RNN: bias: expected true or false, got "false".');
    expect(() => new GRU({ inputSize: 2, hiddenSize: 3, resetAfter: 0 as never })).toThrow("GRU: resetAfter: expected true or false, got 0.");
    expect(() => new RNNCell({ inputSize: 2, hiddenSize: 3, bias: null as never })).toThrow("RNNCell: bias: expected true or false, got null.");
  });

  it("dropout with one layer warns once, in one line, as PyTorch does", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    new LSTM({ inputSize: 2, hiddenSize: 3, dropout: 0.2 });
    expect(warn).toHaveBeenCalledTimes(1);
    const message = String(warn.mock.calls[0][0]);
    expect(message).not.toContain("\n");
    expect(message).toMatch(/LSTM: dropout: dropout acts after every recurrent layer but the last, so a non-zero dropout expects numLayers > 1; got dropout=0.2 and numLayers=1\./);
    new LSTM({ inputSize: 2, hiddenSize: 3, dropout: 0.2, numLayers: 2 });
    new LSTM({ inputSize: 2, hiddenSize: 3 });
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

describe("crossEntropy", () => {
  it("rejects float class targets that are not whole numbers", () => {
    expect(() => crossEntropy(tf.zeros([3, 4]), tf.tensor1d([0, 1.5, 2]))).toThrow(
      "crossEntropy: targets: expected integer class ids, got 1.5 at position 1.",
    );
    expect(() => crossEntropy(tf.zeros([3, 4]), [0, 2.7, 1])).toThrow("crossEntropy: targets: expected integer class ids, got 2.7 at position 1.");
    // Whole numbers in a float tensor are class ids.
    expect(crossEntropy(tf.zeros([2, 4]), tf.tensor1d([0, 3])).dataSync()[0]).toBeCloseTo(Math.log(4), 5);
  });

  it("over all-ignored positions the mean is NaN, as PyTorch's 0/0; the sum is 0", () => {
    const logits = randn([2, 3, 5], 1);
    const allIgnored = tf.tensor2d([[-100, -100, -100], [-100, -100, -100]], undefined, "int32");
    expect(Number.isNaN(crossEntropy(logits, allIgnored).dataSync()[0])).toBe(true);
    expect(Math.abs(crossEntropy(logits, allIgnored, { reduction: "sum" }).dataSync()[0])).toBe(0);
    expect(Number.isNaN(crossEntropy(logits, tf.ones([2, 3], "int32"), { mask: tf.zeros([2, 3]) }).dataSync()[0])).toBe(true);
  });
});

describe("clipGradNorm with non-finite gradients, as PyTorch", () => {
  it("a NaN anywhere makes the norm NaN and every clipped gradient NaN", () => {
    const grads = { a: tf.tensor1d([1, NaN]), b: tf.tensor1d([3, 4]) };
    const { grads: out, totalNorm } = clipGradNorm(grads, 1);
    expect(Number.isNaN(totalNorm)).toBe(true);
    expect(Array.from(out.b.dataSync()).every(Number.isNaN)).toBe(true);
  });
  it("an infinite norm scales everything by 0 (inf·0 is NaN)", () => {
    const { grads: out, totalNorm } = clipGradNorm({ a: tf.tensor1d([Infinity, 2]), b: tf.tensor1d([3]) }, 1);
    expect(totalNorm).toBe(Infinity);
    expect(Array.from(out.b.dataSync())).toEqual([0]);
    expect(Number.isNaN(out.a.dataSync()[0])).toBe(true);
  });
  it("errorIfNonfinite throws, naming grads and the norm", () => {
    expect(() => clipGradNorm({ a: tf.tensor1d([NaN]) }, 1, { errorIfNonfinite: true })).toThrow(
      "clipGradNorm: grads: expected a finite total norm (errorIfNonfinite), got NaN.",
    );
  });
});

describe("disposed tensors", () => {
  it("a disposed input or state is named, not 'Cannot read properties of undefined'", () => {
    const m = new LSTM({ inputSize: 2, hiddenSize: 3 });
    const x = randn([4, 1, 2], 1);
    const h0 = tf.zeros([1, 1, 3]);
    const c0 = tf.zeros([1, 1, 3]);
    h0.dispose();
    expect(() => m.forward(x, [h0 as tf.Tensor3D, c0 as tf.Tensor3D])).toThrow(/LSTM\.forward: state\[0\] \(h0\): expected a live tensor of shape \[1, 1, 3\].*got a disposed tensor of shape \[1, 1, 3\]/);
    const gone = randn([4, 1, 2], 1);
    gone.dispose();
    expect(() => m.forward(gone)).toThrow(/LSTM\.forward: input: expected a live tensor.*got a disposed tensor of shape \[4, 1, 2\]/);
    const cell = new GRUCell({ inputSize: 2, hiddenSize: 3 });
    const h = tf.zeros([1, 3]);
    h.dispose();
    expect(() => cell.step(tf.zeros([1, 2]), h)).toThrow(/GRUCell\.step: h: expected a live tensor.*got a disposed tensor/);
  });
});

describe("loadStateDict", () => {
  it("a ragged nested array names the parameter and the row", () => {
    const m = new RNN({ inputSize: 2, hiddenSize: 3 });
    const sd = Object.fromEntries(Object.entries(m.stateDict()).map(([n, t]) => [n, t.arraySync() as number[]]));
    const ragged = { ...sd, weight_hh_l0: [[1, 2, 3], [4, 5], [6, 7, 8]] };
    expect(() => m.loadStateDict(ragged)).toThrow(
      "RNN.loadStateDict: weight_hh_l0: expected a rectangular nested array of shape [3, 3], got a ragged one: [1] has length 2, [0] has length 3.",
    );
    expect(() => m.loadStateDict({ ...sd, bias_ih_l0: [1, "x", 3] as never })).toThrow(/RNN\.loadStateDict: bias_ih_l0: expected numbers, got "x" at \[1\]/);
  });
});

describe("T = 0", () => {
  for (const Make of [RNN, LSTM, GRU]) {
    it(`${Make.name}: the readable path returns what the fused one does (empty output, the initial state)`, () => {
      const make = (impl: "fused" | "reference") => {
        manualSeed(31);
        return new Make({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, impl });
      };
      const x = tf.zeros([0, 2, 2]);
      const h0 = randn([4, 2, 3], 5) as tf.Tensor3D;
      const c0 = randn([4, 2, 3], 6) as tf.Tensor3D;
      const state = Make === LSTM ? ([h0, c0] as [tf.Tensor3D, tf.Tensor3D]) : h0;
      const a = make("fused").forward(x, state as never) as { output: tf.Tensor; h: tf.Tensor; c?: tf.Tensor };
      const b = make("reference").forward(x, state as never) as { output: tf.Tensor; h: tf.Tensor; c?: tf.Tensor };
      expect(b.output.shape).toEqual([0, 2, 6]);
      expect(a.output.shape).toEqual([0, 2, 6]);
      expect(maxAbsDiff(b.h, h0)).toBe(0);
      expect(maxAbsDiff(a.h, b.h)).toBe(0);
      if (Make === LSTM) expect(maxAbsDiff(b.c!, c0)).toBe(0);
    });
  }
});

describe("h_n[-2] on every backend", () => {
  it("tf.gather over the layers of h has a gradient (UnsortedSegmentSum is registered where tfjs lacks it)", () => {
    manualSeed(41);
    const m = new GRU({ inputSize: 2, hiddenSize: 3, numLayers: 3 });
    const x = randn([5, 2, 2], 1);
    const { value, grads } = m.gradients(() => tf.sum(tf.square(tf.gather(m.forward(x).h, 1))) as tf.Scalar);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    // Layer 2 does not reach h_n[1], layer 1 does.
    expect(maxAbsDiff(grads.weight_hh_l2, tf.zerosLike(grads.weight_hh_l2))).toBe(0);
    expect(maxAbsDiff(grads.weight_hh_l1, tf.zerosLike(grads.weight_hh_l1))).toBeGreaterThan(0);
  });
  it("the segment sum itself matches a plain loop, with repeated and unused segments", () => {
    const xs = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
    const out = tf.unsortedSegmentSum(xs, tf.tensor1d([2, 0, 2, 2], "int32"), 4);
    expect(out.arraySync()).toEqual([[3, 4], [0, 0], [13, 16], [0, 0]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor1d([1, 1, 0], "int32")), tf.tensor2d([[1, 2], [3, 4], [5, 6]]))))(xs);
    expect(g.arraySync()).toEqual([[5, 6], [4, 6], [0, 0], [0, 0]]);
  });
});

describe("PyTorch's spellings in the other options are rejected too", () => {
  it("losses, clipping, training steps and the small layers name the unknown key", async () => {
    const { Linear, Embedding, trainStep, trainTBPTT, mse } = await import("../../src/rnnlab");
    expect(() => crossEntropy(tf.zeros([2, 3]), [0, 1], { ignore_index: 0 } as never)).toThrow(
      /crossEntropy: options: unknown option "ignore_index" \(did you mean "ignoreIndex"\?\); expected some of ignoreIndex, mask, reduction\./,
    );
    expect(() => clipGradNorm({ a: tf.ones([2]) }, 1, { error_if_nonfinite: true } as never)).toThrow(/clipGradNorm: options: unknown option "error_if_nonfinite" \(did you mean "errorIfNonfinite"\?\)/);
    expect(() => new Linear(2, 3, { bias_: false } as never)).toThrow(/Linear: options: unknown option "bias_" \(did you mean "bias"\?\)/);
    expect(() => new Embedding(5, 2, { padding_idx: 0 } as never)).toThrow(/Embedding: options: unknown option "padding_idx" \(did you mean "paddingIdx"\?\)/);
    const m = new Linear(2, 1);
    expect(() => trainStep(m, tf.train.sgd(0.1), () => mse(m.forward(tf.ones([1, 2])), tf.ones([1, 1])), { max_norm: 1 } as never)).toThrow(
      /trainStep: options: unknown option "max_norm" \(did you mean "maxNorm"\?\)/,
    );
    expect(() =>
      trainTBPTT({ module: m, optimizer: tf.train.sgd(0.1), inputs: tf.ones([4, 1, 2]), targets: tf.ones([4, 1, 1]), chunkLength: 2, batch_first: true, forward: () => { throw new Error("not reached"); } } as never),
    ).toThrow(/trainTBPTT: options: unknown option "batch_first" \(did you mean "batchFirst"\?\)/);
  });
});
