import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { AttentionDecoder, BahdanauAttention, BottleneckDecoder, GRUEncoderDecoder, crossEntropy, manualSeed, ready, trainStep } from "../../src/rnnlab";
import type { AdditiveParams, AttendFn } from "../../src/rnnlab";
import { maxAbsDiff, randn } from "./helpers";

beforeAll(async () => {
  await ready();
});

const ids = (rows: number[][]) => tf.tensor2d(rows, undefined, "int32");

/** Additive attention from the equations in float64 loops: weights and context per row. */
function attendByLoops(query: number[][], keys: number[][][], mask: number[][], p: { Ws: number[][]; Wh: number[][]; v: number[] }): { weights: number[][]; context: number[][] } {
  const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
  const weights = keys.map((kb, b) => {
    const e = kb.map((k) => p.v.reduce((s, va, a) => s + va * Math.tanh(dot(p.Ws[a], query[b]) + dot(p.Wh[a], k)), 0));
    const m = Math.max(...e.filter((_, j) => mask[b][j] === 1));
    const x = e.map((s, j) => (mask[b][j] === 1 ? Math.exp(s - m) : 0));
    const z = x.reduce((s, y) => s + y, 0);
    return x.map((y) => y / z);
  });
  const context = keys.map((kb, b) => kb[0].map((_, h) => kb.reduce((s, k, j) => s + weights[b][j] * k[h], 0)));
  return { weights, context };
}

function paramsOf(m: BahdanauAttention): { Ws: number[][]; Wh: number[][]; v: number[] } {
  const p = m.params();
  return { Ws: p.Ws.arraySync(), Wh: p.Wh.arraySync(), v: p.v.arraySync() };
}

const leftPadMask = (lengths: number[], T: number) => tf.tensor2d(lengths.map((L) => Array.from({ length: T }, (_, j) => (j >= T - L ? 1 : 0))));

describe("BahdanauAttention", () => {
  it("has W_s [A, H_s], W_h [A, H_h], v [1, A] and returns weights [B, T], context [B, H_h]", () => {
    manualSeed(1);
    const m = new BahdanauAttention({ queryDim: 3, keyDim: 5, attnDim: 4 });
    expect(Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, t.shape]))).toEqual({ "W_s.weight": [4, 3], "W_h.weight": [4, 5], "v.weight": [1, 4] });
    const { weights, context } = m.forward(randn([2, 3], 1) as tf.Tensor2D, randn([2, 6, 5], 2) as tf.Tensor3D);
    expect(weights.shape).toEqual([2, 6]);
    expect(context.shape).toEqual([2, 5]);
    expect(new BahdanauAttention({ queryDim: 2, keyDim: 7 }).attnDim).toBe(7);
  });

  it("matches the equations computed in float64 loops, with and without a mask", () => {
    manualSeed(2);
    const m = new BahdanauAttention({ queryDim: 4, keyDim: 3, attnDim: 5 });
    const query = randn([3, 4], 3) as tf.Tensor2D, keys = randn([3, 6, 3], 4) as tf.Tensor3D;
    for (const mask of [tf.ones([3, 6]) as tf.Tensor2D, leftPadMask([6, 2, 1], 6)]) {
      const ref = attendByLoops(query.arraySync(), keys.arraySync(), mask.arraySync(), paramsOf(m));
      const got = m.forward(query, keys, mask);
      expect(maxAbsDiff(got.weights, ref.weights)).toBeLessThan(1e-6);
      expect(maxAbsDiff(got.context, ref.context)).toBeLessThan(1e-6);
    }
    // no mask means every position is real
    expect(maxAbsDiff(m.forward(query, keys).weights, m.forward(query, keys, tf.ones([3, 6]) as tf.Tensor2D).weights)).toBe(0);
  });

  it("gives padded positions exactly zero weight, rows sum to 1, and what padding holds changes nothing", () => {
    manualSeed(3);
    const m = new BahdanauAttention({ queryDim: 2, keyDim: 4 });
    const mask = tf.tensor2d([[0, 0, 1, 1, 1], [1, 1, 0, 1, 0]]);     // left padding and holes
    const query = randn([2, 2], 5) as tf.Tensor2D, keys = randn([2, 5, 4], 6) as tf.Tensor3D;
    const a = m.forward(query, keys, mask);
    const W = a.weights.arraySync();
    expect([W[0][0], W[0][1], W[1][2], W[1][4]]).toEqual([0, 0, 0, 0]);
    expect(maxAbsDiff(tf.sum(a.weights, 1), [1, 1])).toBeLessThan(1e-6);
    // replace the keys at padded positions with huge values: weights and context stay the same
    const keep = tf.expandDims(mask, 2);
    const junk = tf.add(tf.mul(keys, keep), tf.mul(tf.sub(1, keep), 1e3)) as tf.Tensor3D;
    const b = m.forward(query, junk, mask);
    expect(maxAbsDiff(b.weights, a.weights)).toBeLessThan(1e-6);
    expect(maxAbsDiff(b.context, a.context)).toBeLessThan(1e-6);
  });

  it("stays finite and normalised for scores in the thousands", () => {
    manualSeed(4);
    const m = new BahdanauAttention({ queryDim: 2, keyDim: 2, attnDim: 3 });
    m.loadStateDict({ "v.weight": tf.tensor2d([[4000, -3000, 2500]]) }, { strict: false });
    const { weights } = m.forward(randn([2, 2], 7) as tf.Tensor2D, tf.mul(randn([2, 4, 2], 8), 10) as tf.Tensor3D, leftPadMask([4, 3], 4));
    const w = weights.dataSync();
    expect(Array.from(w).every(Number.isFinite)).toBe(true);
    expect(maxAbsDiff(tf.sum(weights, 1), [1, 1])).toBeLessThan(1e-6);
    expect(w[4]).toBe(0);
  });

  it("projectKeys once and reusing it gives the same result", () => {
    manualSeed(5);
    const m = new BahdanauAttention({ queryDim: 3, keyDim: 4, attnDim: 2 });
    const query = randn([2, 3], 9) as tf.Tensor2D, keys = randn([2, 5, 4], 10) as tf.Tensor3D, mask = leftPadMask([5, 3], 5);
    const pk = m.projectKeys(keys);
    expect(pk.shape).toEqual([2, 5, 2]);
    expect(maxAbsDiff(m.forward(query, keys, mask, pk).context, m.forward(query, keys, mask).context)).toBeLessThan(1e-7);
  });

  it("sends gradients to the query, the real keys and every weight, none to padded keys", () => {
    manualSeed(6);
    const m = new BahdanauAttention({ queryDim: 3, keyDim: 2, attnDim: 4 });
    const mask = leftPadMask([4, 2], 4);
    const query = randn([2, 3], 11) as tf.Tensor2D, keys = randn([2, 4, 2], 12) as tf.Tensor3D;
    const f = (q: tf.Tensor, k: tf.Tensor) => tf.sum(tf.square(m.forward(q as tf.Tensor2D, k as tf.Tensor3D, mask).context)) as tf.Scalar;
    const [dq, dk] = tf.grads(f)([query, keys]);
    const DK = dk.arraySync() as number[][][];
    expect(Math.max(...DK[1][0].map(Math.abs), ...DK[1][1].map(Math.abs))).toBe(0);
    expect(Math.max(...DK[1][2].map(Math.abs))).toBeGreaterThan(0);
    // ∂/∂query against central differences (float32: a loose tolerance)
    const q = query.arraySync(), eps = 1e-2, DQ = dq.arraySync() as number[][];
    for (const [b, i] of [[0, 0], [1, 2]]) {
      const shifted = (d: number) => { const x = q.map((r) => r.slice()); x[b][i] += d; return f(tf.tensor2d(x), keys).dataSync()[0]; };
      expect(Math.abs((shifted(eps) - shifted(-eps)) / (2 * eps) - DQ[b][i])).toBeLessThan(2e-3 + 1e-2 * Math.abs(DQ[b][i]));
    }
    const { grads } = tf.variableGrads(() => f(query, keys), m.parameters());
    for (const [name, v] of m.namedParameters()) expect(tf.norm(grads[v.name]).dataSync()[0], name).toBeGreaterThan(0);
  });

  it("names the argument in errors", () => {
    manualSeed(7);
    const m = new BahdanauAttention({ queryDim: 3, keyDim: 4 });
    const q = tf.zeros([2, 3]) as tf.Tensor2D, k = tf.zeros([2, 5, 4]) as tf.Tensor3D;
    expect(() => m.forward(q, tf.zeros([2, 5, 3]) as tf.Tensor3D)).toThrow(/BahdanauAttention\.forward: keys: expected shape \[B, T, 4\].*got \[2, 5, 3\]/);
    expect(() => m.forward(tf.zeros([3, 3]) as tf.Tensor2D, k)).toThrow(/BahdanauAttention\.forward: query: expected shape \[2, 3\].*got \[3, 3\]/);
    expect(() => m.forward(q, k, tf.ones([2, 4]) as tf.Tensor2D)).toThrow(/forward: mask: expected shape \[2, 5\]/);
    expect(() => m.forward(q, k, tf.fill([2, 5], 0.5) as tf.Tensor2D)).toThrow(/mask: expected only 0 and 1, got 0\.5 at \[0, 0\]/);
    expect(() => m.forward(q, k, tf.tensor2d([[1, 1, 1, 1, 1], [0, 0, 0, 0, 0]]))).toThrow(/mask: expected at least one 1 per row, got a row of zeros at batch index 1/);
    expect(() => m.forward(q, k, undefined, tf.zeros([2, 5, 3]) as tf.Tensor3D)).toThrow(/forward: projectedKeys: expected shape \[2, 5, 4\]/);
    expect(() => m.projectKeys(tf.zeros([2, 5]) as unknown as tf.Tensor3D)).toThrow(/projectKeys: keys: expected rank 3/);
    expect(() => new BahdanauAttention({ queryDim: 0, keyDim: 4 })).toThrow(/BahdanauAttention: options\.queryDim: expected an integer ≥ 1, got 0/);
    expect(() => new BahdanauAttention({ queryDim: 2, keyDim: 4, attnDim: 1.5 })).toThrow(/options\.attnDim: expected an integer ≥ 1, got 1\.5/);
    expect(() => new BahdanauAttention(null as never)).toThrow(/BahdanauAttention: options: expected \{queryDim, keyDim, attnDim\?\}/);
  });
});

describe("GRUEncoderDecoder", () => {
  const V = 7, PAD = 0, START = 1;
  // Sources are left-padded; decoder inputs are the start token then the target shifted right.
  const source = ids([[0, 0, 3, 4, 5], [2, 6, 4, 3, 5]]);
  const decoderInputs = ids([[1, 3, 4], [1, 2, 6]]);

  it("returns logits [B, T_out, V] for both decoders and weights [B, T_out, T_in] with attention", () => {
    for (const decoder of ["attention", "bottleneck"] as const) {
      manualSeed(8);
      const m = new GRUEncoderDecoder({ vocabSize: V, embedDim: 3, hiddenSize: 4, decoder });
      const r = m.forward(source, decoderInputs);
      expect(r.logits.shape).toEqual([2, 3, V]);
      expect(r.weights?.shape).toEqual(decoder === "attention" ? [2, 3, 5] : undefined);
      const g = m.greedy(source, START, 4);
      expect(g.ids.shape).toEqual([2, 4]);
      expect(g.weights?.shape).toEqual(decoder === "attention" ? [2, 4, 5] : undefined);
    }
  });

  it("never attends to padding, in teacher forcing and in greedy decoding", () => {
    manualSeed(9);
    const m = new GRUEncoderDecoder({ vocabSize: V, embedDim: 3, hiddenSize: 4, decoder: "attention" });
    for (const W of [m.forward(source, decoderInputs).weights!, m.greedy(source, START, 6).weights!]) {
      const w = W.arraySync();
      for (const row of w[0]) expect([row[0], row[1]]).toEqual([0, 0]);
      expect(maxAbsDiff(tf.sum(W, 2), tf.ones([2, W.shape[1]]))).toBeLessThan(1e-6);
    }
  });

  it("teacher forcing equals stepping the decoder with the true previous tokens", () => {
    manualSeed(10);
    const m = new GRUEncoderDecoder({ vocabSize: V, embedDim: 3, hiddenSize: 4, decoder: "attention" });
    const { logits } = m.forward(source, decoderInputs);
    const { keys, mask, s0 } = m.encode(source);
    const dec = m.decoder as AttentionDecoder;
    let s = s0;
    const cols = [[1, 1], [3, 2], [4, 6]];
    cols.forEach((col, t) => {
      const r = dec.step(tf.tensor1d(col, "int32"), s, keys, mask);
      s = r.s;
      expect(maxAbsDiff(r.logits, tf.squeeze(tf.slice(logits, [0, t, 0], [2, 1, V]), [1]))).toBeLessThan(1e-5);
    });
  });

  it("a custom attend function with the same weights gives the same model, and its weights get gradients", () => {
    manualSeed(11);
    const calls: number[] = [];
    const attend: AttendFn = (query, keys, mask, p: AdditiveParams) => {
      calls.push(1);
      const [B, T, H] = keys.shape;
      const fromKeys = tf.reshape(tf.matMul(tf.reshape(keys, [B * T, H]), p.Wh, false, true), [B, T, -1]);
      const scores = tf.sum(tf.mul(tf.tanh(tf.add(tf.expandDims(tf.matMul(query, p.Ws, false, true), 1), fromKeys)), p.v), 2);
      const weights = tf.softmax(tf.where(tf.cast(mask, "bool"), scores, tf.fill(scores.shape, -Infinity)), 1) as tf.Tensor2D;
      return { weights, context: tf.sum(tf.mul(tf.expandDims(weights, 2), keys), 1) as tf.Tensor2D };
    };
    const lib = new GRUEncoderDecoder({ vocabSize: V, embedDim: 3, hiddenSize: 4, decoder: "attention" });
    const mine = new GRUEncoderDecoder({ vocabSize: V, embedDim: 3, hiddenSize: 4, decoder: "attention", attend });
    mine.loadStateDict(lib.stateDict());
    expect(maxAbsDiff(mine.forward(source, decoderInputs).logits, lib.forward(source, decoderInputs).logits)).toBeLessThan(1e-5);
    expect(calls.length).toBe(3);
    const targets = ids([[3, 4, 5], [2, 6, 4]]);
    const { grads } = mine.gradients(() => crossEntropy(mine.forward(source, decoderInputs).logits, targets) as tf.Scalar);
    for (const name of ["decoder.attention.W_s.weight", "decoder.attention.W_h.weight", "decoder.attention.v.weight"]) {
      expect(name in grads, name).toBe(true);
      expect(tf.norm(grads[name]).dataSync()[0], name).toBeGreaterThan(0);
    }
  });

  it("gradients reach every parameter of both models", () => {
    for (const decoder of ["attention", "bottleneck"] as const) {
      manualSeed(12);
      const m = new GRUEncoderDecoder({ vocabSize: V, embedDim: 3, hiddenSize: 4, decoder });
      const targets = ids([[3, 4, 5], [2, 6, 4]]);
      const { grads } = m.gradients(() => crossEntropy(m.forward(source, decoderInputs).logits, targets) as tf.Scalar);
      expect(Object.keys(grads)).toEqual(m.namedParameters().map(([n]) => n));
      for (const [name, g] of Object.entries(grads)) expect(tf.norm(g).dataSync()[0], `${decoder}: ${name}`).toBeGreaterThan(0);
    }
  });

  it("the attention model overfits four strings and copies them greedily", () => {
    manualSeed(13);
    const m = new GRUEncoderDecoder({ vocabSize: V, embedDim: 8, hiddenSize: 16, decoder: "attention" });
    const strings = [[2, 3, 4, 5], [6, 5, 2, 2], [3, 3, 6, 4], [5, 2, 6, 3]];
    const src = ids(strings), dec = ids(strings.map((s) => [START, ...s.slice(0, -1)])), tgt = ids(strings);
    const opt = tf.train.adam(0.03);
    const step = () => trainStep(m, opt, () => crossEntropy(m.forward(src, dec).logits, tgt, { ignoreIndex: PAD }), { maxNorm: 5 }).loss;
    const first = step();
    let last = first;
    for (let k = 0; k < 80; k++) last = step();
    expect(last).toBeLessThan(first / 20);
    expect(m.greedy(src, START, 4).ids.arraySync()).toEqual(strings);
  });

  it("names the argument in errors", () => {
    manualSeed(14);
    const m = new GRUEncoderDecoder({ vocabSize: V, embedDim: 3, hiddenSize: 4, decoder: "attention" });
    const opts = { vocabSize: V, embedDim: 3, hiddenSize: 4 };
    expect(() => new GRUEncoderDecoder({ ...opts, decoder: "luong" as never })).toThrow(/GRUEncoderDecoder: options\.decoder: expected "attention" or "bottleneck", got "luong"/);
    expect(() => new GRUEncoderDecoder({ ...opts, decoder: "attention", padId: 7 })).toThrow(/options\.padId: expected an integer in \[0, 7\), got 7/);
    expect(() => new GRUEncoderDecoder({ ...opts, vocabSize: 1, decoder: "attention" })).toThrow(/options\.vocabSize: expected an integer ≥ 2, got 1/);
    expect(() => new GRUEncoderDecoder({ ...opts, decoder: "attention", attend: "additive" as never })).toThrow(/options\.attend: expected a function/);
    expect(() => m.forward(tf.tensor2d([[1, 2]]) as tf.Tensor2D, ids([[1]]))).toThrow(/encode: source: expected int32 token ids, got dtype float32/);
    expect(() => m.forward(ids([[1, 9]]), ids([[1]]))).toThrow(/encode: source: expected ids in \[0, 7\), got 9 at \[0, 1\]/);
    expect(() => m.forward(ids([[0, 3], [0, 0]]), ids([[1], [1]]))).toThrow(/encode: source: expected at least one token that is not padding \(id 0\) per row, got a row of padding only at batch index 1/);
    expect(() => m.forward(ids([[2, 3]]), ids([[1], [1]]))).toThrow(/forward: decoderInputs: expected shape \[1, T_out\]/);
    expect(() => m.forward(ids([[2, 3]]), ids([[1, -1]]))).toThrow(/forward: decoderInputs: expected ids in \[0, 7\), got -1 at \[0, 1\]/);
    expect(() => m.greedy(ids([[2, 3]]), 7, 2)).toThrow(/greedy: startId: expected an integer in \[0, 7\), got 7/);
    expect(() => m.greedy(ids([[2, 3]]), START, 0)).toThrow(/greedy: steps: expected an integer ≥ 1, got 0/);
    expect(() => new AttentionDecoder(1, 3, 4)).toThrow(/AttentionDecoder: vocabSize: expected an integer ≥ 2, got 1/);
    expect(() => new BottleneckDecoder(V, 3, 0)).toThrow(/BottleneckDecoder: hiddenSize: expected an integer ≥ 1, got 0/);
  });
});
