import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { GRU, manualSeed, ready } from "../../src/rnnlab";
import { Decoder, Encoder, Seq2Seq, teacherForcedStep } from "../../src/rnnlab/seq2seq";
import { maxAbsDiff } from "./helpers";

beforeAll(async () => {
  await ready();
});

const ids = (rows: number[][]) => tf.tensor2d(rows, undefined, "int32");

describe("Encoder", () => {
  it("returns every state [B, T, H] and, per row, the state after its last real token", () => {
    manualSeed(1);
    const enc = new Encoder({ vocabSize: 7, embedDim: 3, hiddenSize: 5 });
    const source = ids([[3, 4, 5, 6], [2, 3, 0, 0]]);
    const { states, final } = enc.forward(source, [4, 2]);
    expect(states.shape).toEqual([2, 4, 5]);
    expect(final.shape).toEqual([2, 5]);
    const s = states.arraySync() as number[][][];
    expect(maxAbsDiff(final, [s[0][3], s[1][1]])).toBeLessThan(1e-7);
  });

  it("padding after the end does not change the final state", () => {
    manualSeed(2);
    const enc = new Encoder({ vocabSize: 7, embedDim: 3, hiddenSize: 4 });
    const short = enc.forward(ids([[5, 2, 6]]), [3]).final;
    const padded = enc.forward(ids([[5, 2, 6, 0, 0, 0]]), [3]).final;
    expect(maxAbsDiff(short, padded)).toBeLessThan(1e-6);
    // without lengths the padded row's state is the last one, which differs
    expect(maxAbsDiff(enc.forward(ids([[5, 2, 6, 0, 0, 0]])).final, short)).toBeGreaterThan(1e-4);
  });

  it("matches a GRU layer run on the embedded source", () => {
    manualSeed(3);
    const enc = new Encoder({ vocabSize: 6, embedDim: 2, hiddenSize: 3 });
    const source = ids([[1, 2, 3], [4, 5, 1]]);
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, batchFirst: true });
    gru.loadStateDict(enc.gru.stateDict());
    const ref = gru.forward(enc.embedding.forward(source));
    expect(maxAbsDiff(enc.forward(source).states, ref.output)).toBeLessThan(1e-6);
  });

  it("names the argument in errors", () => {
    manualSeed(4);
    const enc = new Encoder({ vocabSize: 5, embedDim: 2, hiddenSize: 3 });
    expect(() => enc.forward(ids([[1, 2, 9]]))).toThrow(/Encoder\.forward: source: expected ids in \[0, 5\), got 9/);
    expect(() => enc.forward(tf.tensor2d([[1, 2]]) as tf.Tensor2D)).toThrow(/source: expected int32 token ids, got dtype float32/);
    expect(() => enc.forward(ids([[1, 2]]), [3])).toThrow(/lengths: expected integers in \[1, 2\], got 3 at index 0/);
    expect(() => enc.forward(ids([[1, 2]]), [1, 2])).toThrow(/lengths: expected an array of 1 lengths/);
    expect(() => new Encoder({ vocabSize: 0, embedDim: 2, hiddenSize: 3 })).toThrow(/Encoder: options\.vocabSize: expected an integer ≥ 1, got 0/);
  });
});

describe("Decoder", () => {
  it("teacher forcing in one call equals stepping with the true tokens", () => {
    manualSeed(5);
    const dec = new Decoder({ vocabSize: 6, embedDim: 3, hiddenSize: 4 });
    const inputs = ids([[1, 3, 4, 2], [1, 5, 5, 3]]);
    const s0 = tf.randomNormal([2, 4], 0, 1, "float32", 1) as tf.Tensor2D;
    const logits = dec.forward(inputs, s0);
    expect(logits.shape).toEqual([2, 4, 6]);
    let state = s0;
    const cols = inputs.arraySync()[0].map((_, u) => inputs.arraySync().map((r) => r[u]));
    cols.forEach((col, u) => {
      const r = dec.step(tf.tensor1d(col, "int32"), state);
      state = r.state;
      const expected = tf.logSoftmax(tf.squeeze(tf.slice(logits, [0, u, 0], [2, 1, 6]), [1]));
      expect(maxAbsDiff(r.logProbs, expected)).toBeLessThan(1e-5);
    });
  });

  it("step returns normalised log-probabilities", () => {
    manualSeed(6);
    const dec = new Decoder({ vocabSize: 5, embedDim: 2, hiddenSize: 3 });
    const { logProbs, state } = dec.step(tf.tensor1d([0, 4, 2], "int32"), tf.zeros([3, 3]));
    expect(state.shape).toEqual([3, 3]);
    expect(maxAbsDiff(tf.sum(tf.exp(logProbs), 1), [1, 1, 1])).toBeLessThan(1e-5);
  });

  it("names the argument in errors", () => {
    manualSeed(7);
    const dec = new Decoder({ vocabSize: 5, embedDim: 2, hiddenSize: 3 });
    expect(() => dec.forward(ids([[1, 2]]), tf.zeros([2, 3]))).toThrow(/Decoder\.forward: s0: expected shape \[1, 3\]/);
    expect(() => dec.step(tf.tensor1d([1, 7], "int32"), tf.zeros([2, 3]))).toThrow(/Decoder\.step: prev: expected ids in \[0, 5\), got 7/);
    expect(() => dec.step(tf.tensor1d([1], "int32"), tf.zeros([1, 4]))).toThrow(/Decoder\.step: state: expected shape \[1, 3\]/);
    expect(() => new Decoder({ vocabSize: 1, embedDim: 2, hiddenSize: 3 })).toThrow(/options\.vocabSize: expected an integer ≥ 2/);
  });
});

describe("Seq2Seq", () => {
  it("the decoder's loss reaches the encoder's weights only through the final state", () => {
    manualSeed(8);
    const m = new Seq2Seq({ sourceVocab: 6, targetVocab: 5, embedDim: 3, hiddenSize: 4 });
    const src = ids([[2, 3, 4, 5]]);
    const loss = (lengths: number[]) => () => {
      const logits = m.forward(src, lengths, ids([[1, 3, 4]]));
      return tf.sum(tf.logSoftmax(logits)) as tf.Scalar;
    };
    const { grads } = tf.variableGrads(loss([4]), m.encoder.parameters());
    const norms = Object.values(grads).map((g) => tf.norm(g).dataSync()[0]);
    expect(norms.every((n) => n > 0)).toBe(true);
    // With length 2 the last two source tokens are padding for the model: their embeddings get no gradient.
    const emb = m.encoder.embedding.weight;
    const g2 = tf.variableGrads(loss([2]), [emb]).grads[emb.name].arraySync() as number[][];
    expect(Math.max(...g2[4].map(Math.abs), ...g2[5].map(Math.abs))).toBe(0);
    expect(Math.max(...g2[2].map(Math.abs))).toBeGreaterThan(0);
  });

  it("overfits four pairs with teacher forcing", () => {
    manualSeed(9);
    const m = new Seq2Seq({ sourceVocab: 8, targetVocab: 6, embedDim: 8, hiddenSize: 16 });
    // reverse a short sequence: source 3 4 5 → target 5 4 3 (mapped into the target vocabulary), end = 2
    const batch = {
      source: ids([[3, 4, 5], [5, 6, 0], [7, 3, 4], [4, 4, 0]]),
      lengths: [3, 2, 3, 2],
      decoderInputs: ids([[1, 5, 4, 3], [1, 4, 3, 0], [1, 4, 3, 5], [1, 4, 4, 0]]),
      targets: ids([[5, 4, 3, 2], [4, 3, 2, 0], [4, 3, 5, 2], [4, 4, 2, 0]]),
    };
    const opt = tf.train.adam(0.03);
    const first = teacherForcedStep(m, opt, batch, { maxNorm: 5 }).loss;
    let last = first;
    for (let k = 0; k < 150; k++) last = teacherForcedStep(m, opt, batch, { maxNorm: 5 }).loss;
    expect(last).toBeLessThan(0.05);
    expect(last).toBeLessThan(first / 20);
    const pred = tf.argMax(m.forward(batch.source, batch.lengths, batch.decoderInputs), 2).arraySync() as number[][];
    const tgt = batch.targets.arraySync();
    pred.forEach((row, b) => row.forEach((v, u) => tgt[b][u] !== 0 && expect(v).toBe(tgt[b][u])));
  });

  it("teacherForcedStep checks its arguments", () => {
    manualSeed(10);
    const m = new Seq2Seq({ sourceVocab: 5, targetVocab: 5, embedDim: 2, hiddenSize: 3 });
    const opt = tf.train.sgd(0.1);
    expect(() => teacherForcedStep(m, opt, { source: ids([[1]]), decoderInputs: ids([[1, 2]]), targets: ids([[2]]) })).toThrow(/teacherForcedStep: batch\.targets: expected shape \[1, 2\]/);
    expect(() => teacherForcedStep({} as Seq2Seq, opt, { source: ids([[1]]), decoderInputs: ids([[1]]), targets: ids([[2]]) })).toThrow(/teacherForcedStep: model: expected a Seq2Seq/);
    expect(() => m.forward(ids([[1, 2]]), undefined, ids([[1], [2]]))).toThrow(/Seq2Seq\.forward: decoderInputs: expected shape \[1, U\]/);
  });
});
