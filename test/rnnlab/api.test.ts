import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Dropout, Embedding, GRU, GRUCell, LSTM, LSTMCell, Linear, RNN, RNNCell, backendInfo, crossEntropy, manualSeed, mse, ready,
} from "../../src/rnnlab";
import { maxAbsDiff, randn } from "./helpers";

beforeAll(async () => {
  await ready();
});

describe("backend", () => {
  it("is chosen once, reported, and is wasm with SIMD here (tfjs-node is not installed)", () => {
    const info = backendInfo()!;
    expect(info.name).toBe(tf.getBackend());
    expect(["wasm", "tensorflow", "cpu"]).toContain(info.name);
    if (!process.env.RNNLAB_BACKEND) {
      let nodeInstalled = true;
      try { require.resolve("@tensorflow/tfjs-node"); } catch { nodeInstalled = false; }
      expect(info.name).toBe(nodeInstalled ? "tensorflow" : "wasm");
    }
    expect(info.reason.length).toBeGreaterThan(0);
  });
});

describe("PyTorch shapes and names", () => {
  it("LSTM: output (T, B, D·H), h and c (numLayers·D, B, H); batchFirst swaps T and B", () => {
    const lstm = new LSTM({ inputSize: 10, hiddenSize: 20, numLayers: 2, bidirectional: true });
    const r = lstm.forward(randn([5, 3, 10], 1));
    expect(r.output.shape).toEqual([5, 3, 40]);
    expect(r.h.shape).toEqual([4, 3, 20]);
    expect(r.c!.shape).toEqual([4, 3, 20]);
    const bf = new LSTM({ inputSize: 10, hiddenSize: 20, batchFirst: true });
    expect(bf.forward(randn([3, 5, 10], 1)).output.shape).toEqual([3, 5, 20]);
    expect(bf.forward(randn([3, 5, 10], 1)).h.shape).toEqual([1, 3, 20]);
  });

  it("unbatched (T, I) input gives (T, D·H) and (numLayers·D, H), like PyTorch", () => {
    const gru = new GRU({ inputSize: 4, hiddenSize: 6, numLayers: 2 });
    const r = gru.forward(randn([7, 4], 1));
    expect(r.output.shape).toEqual([7, 6]);
    expect(r.h.shape).toEqual([2, 6]);
  });

  it("state dict names, shapes and parameter counts are PyTorch's", () => {
    const lstm = new LSTM({ inputSize: 10, hiddenSize: 128, numLayers: 2, bidirectional: true });
    const sd = lstm.stateDict();
    expect(Object.keys(sd)).toEqual([
      "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
      "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
      "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
      "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse",
    ]);
    expect(sd.weight_ih_l0.shape).toEqual([512, 10]);
    expect(sd.weight_ih_l1.shape).toEqual([512, 256]);
    expect(sd.weight_hh_l1_reverse.shape).toEqual([512, 128]);
    // torch: sum(p.numel() for p in nn.LSTM(10, 128, 2, bidirectional=True).parameters()) == 538624
    expect(lstm.parameterCount()).toBe(538624);
    expect(new GRU({ inputSize: 10, hiddenSize: 20 }).parameterCount()).toBe(3 * (20 * 10 + 20 * 20 + 40));
    expect(new RNN({ inputSize: 10, hiddenSize: 20, bias: false }).parameterCount()).toBe(20 * 10 + 20 * 20);
  });

  it("init is U(−1/√H, 1/√H)", () => {
    manualSeed(1);
    const v = new LSTM({ inputSize: 30, hiddenSize: 64 }).stateDict().weight_hh_l0.dataSync();
    const k = 1 / 8;
    expect(Math.max(...v)).toBeLessThanOrEqual(k);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-k);
    expect(Math.max(...v)).toBeGreaterThan(0.95 * k);
    const mean = v.reduce((a, b) => a + b) / v.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
  });

  it("saves and loads the state dict as JSON, and loads nested arrays", () => {
    manualSeed(2);
    const a = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-")), "gru.json");
    a.saveStateDict(file);
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(json.weight_ih_l1.length).toBe(12);
    expect(json.weight_ih_l1[0].length).toBe(4);
    const b = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
    b.loadStateDictFile(file);
    const x = randn([5, 2, 3], 3);
    expect(maxAbsDiff(a.forward(x).output, b.forward(x).output)).toBe(0);
  });
});

describe("cells stream one step at a time and agree with the layers", () => {
  it("LSTMCell.step over a sequence equals LSTM.forward", () => {
    const layer = new LSTM({ inputSize: 3, hiddenSize: 4 });
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 4 });
    const sd = layer.stateDict();
    cell.loadStateDict({ weight_ih: sd.weight_ih_l0, weight_hh: sd.weight_hh_l0, bias_ih: sd.bias_ih_l0, bias_hh: sd.bias_hh_l0 });
    const x = randn([6, 2, 3], 4);
    let s = cell.step(tf.slice(x, 0, 1).squeeze([0]));
    for (let t = 1; t < 6; t++) s = cell.step(tf.slice(x, t, 1).squeeze([0]), s);
    const r = layer.forward(x);
    expect(maxAbsDiff(s.h, r.h.squeeze([0]))).toBeLessThan(1e-6);
    expect(maxAbsDiff(s.c, r.c!.squeeze([0]))).toBeLessThan(1e-6);
  });

  it("GRUCell and RNNCell step with the layers' equations", () => {
    for (const [Layer, Cell] of [[GRU, GRUCell], [RNN, RNNCell]] as const) {
      const layer = new Layer({ inputSize: 3, hiddenSize: 4 });
      const cell = new Cell({ inputSize: 3, hiddenSize: 4 });
      const sd = layer.stateDict();
      cell.loadStateDict({ weight_ih: sd.weight_ih_l0, weight_hh: sd.weight_hh_l0, bias_ih: sd.bias_ih_l0, bias_hh: sd.bias_hh_l0 });
      const x = randn([4, 2, 3], 5);
      let h: tf.Tensor | undefined;
      for (let t = 0; t < 4; t++) h = cell.step(tf.slice(x, t, 1).squeeze([0]), h);
      expect(maxAbsDiff(h!, layer.forward(x).h.squeeze([0]))).toBeLessThan(1e-6);
    }
  });
});

describe("dropout", () => {
  it("applies between layers only while training", () => {
    manualSeed(6);
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 8, numLayers: 2, dropout: 0.5 });
    const x = randn([4, 2, 3], 6);
    lstm.eval();
    const e1 = lstm.forward(x).output;
    const e2 = lstm.forward(x).output;
    expect(maxAbsDiff(e1, e2)).toBe(0);
    lstm.train();
    expect(maxAbsDiff(lstm.forward(x).output, e1)).toBeGreaterThan(1e-3);
    const single = new LSTM({ inputSize: 3, hiddenSize: 8, numLayers: 1, dropout: 0.5 });
    expect(maxAbsDiff(single.forward(x).output, single.forward(x).output)).toBe(0); // nothing between layers
  });

  it("Dropout scales survivors by 1/(1−p) and is the identity in eval", () => {
    const d = new Dropout(0.25);
    const y = d.forward(tf.ones([1000])).dataSync();
    for (const v of y) expect([0, 1 / 0.75]).toContainEqual(expect.closeTo(v, 5));
    const zeros = Array.from(y).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(180);
    expect(zeros).toBeLessThan(320);
    d.eval();
    expect(Array.from(d.forward(tf.ones([5])).dataSync())).toEqual([1, 1, 1, 1, 1]);
  });
});

describe("Embedding, Linear and losses", () => {
  it("Embedding looks up rows; the padding row is zero and gets no gradient", () => {
    const emb = new Embedding(5, 3, { paddingIdx: 0 });
    const ids = tf.tensor2d([[1, 0], [4, 1]], undefined, "int32");
    const e = emb.forward(ids);
    expect(e.shape).toEqual([2, 2, 3]);
    expect(Array.from(e.slice([0, 1, 0], [1, 1, 3]).dataSync())).toEqual([0, 0, 0]);
    const { grads } = tf.variableGrads(() => tf.sum(emb.forward(ids)) as tf.Scalar, [emb.weight]);
    const gw = grads[emb.weight.name].arraySync() as number[][];
    expect(gw[0]).toEqual([0, 0, 0]);
    expect(gw[1]).toEqual([2, 2, 2]);
    expect(gw[2]).toEqual([0, 0, 0]);
  });

  it("Linear is x·Wᵀ + b on any leading shape", () => {
    const lin = new Linear(3, 2);
    lin.loadStateDict({ weight: [[1, 0, 0], [0, 1, 1]], bias: [0.5, -1] });
    expect(lin.forward(tf.tensor3d([[[1, 2, 3]]])).arraySync()).toEqual([[[1.5, 4]]]);
  });

  it("crossEntropy from logits matches −log softmax, skipping ignoreIndex and masked positions", () => {
    const logits = tf.tensor2d([[2, 0, 0], [0, 3, 0], [1, 1, 1]]);
    const lse = (r: number[]) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
    const l0 = lse([2, 0, 0]) - 2;
    const l1 = lse([0, 3, 0]) - 3;
    expect(crossEntropy(logits, [0, 1, 2]).dataSync()[0]).toBeCloseTo((l0 + l1 + lse([1, 1, 1]) - 1) / 3, 5);
    expect(crossEntropy(logits, [0, 1, -100]).dataSync()[0]).toBeCloseTo((l0 + l1) / 2, 5);
    expect(crossEntropy(logits, [0, 1, 2], { mask: tf.tensor1d([1, 0, 0]) }).dataSync()[0]).toBeCloseTo(l0, 5);
    expect(crossEntropy(logits, [0, 1, 2], { reduction: "sum" }).dataSync()[0]).toBeCloseTo(l0 + l1 + lse([1, 1, 1]) - 1, 5);
  });

  it("mse's gradients are those of mean((p − y)²), for the prediction and the target, scaled by the incoming gradient", () => {
    const p = tf.tensor2d([[0.5, -1, 2], [3, 0, -0.25]]);
    const y = tf.tensor2d([[1, 1, 1], [0, 0, 0]]);
    const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(mse(a, b), 3))([p, y]);
    const autodiff = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(tf.mean(tf.squaredDifference(a, b)), 3))([p, y]);
    for (let i = 0; i < 2; i++) {
      expect(ours[i].shape).toEqual([2, 3]);
      expect(tf.max(tf.abs(tf.sub(ours[i], autodiff[i]))).dataSync()[0]).toBeLessThan(1e-6);
    }
    expect(ours[0].arraySync()[1][0]).toBeCloseTo(3 * (2 / 6) * 3, 5); // 3·(2/n)(p − y) at p 3, y 0
  });

  it("mse is the mean squared difference", () => {
    expect(mse(tf.tensor1d([1, 2]), tf.tensor1d([0, 0])).dataSync()[0]).toBeCloseTo(2.5, 6);
  });
});

describe("bad input gets an error naming the argument, the expected and the actual", () => {
  const lstm = () => new LSTM({ inputSize: 10, hiddenSize: 20, numLayers: 2 });
  it("wrong input size", () => {
    expect(() => lstm().forward(tf.zeros([5, 3, 8]))).toThrow("LSTM.forward: input: expected shape [T, B, 10] ((T, B, I), inputSize 10), got [5, 3, 8].");
  });
  it("wrong rank", () => {
    expect(() => lstm().forward(tf.zeros([5, 3, 10, 1]))).toThrow(/LSTM.forward: input: expected rank 3 \[T, B, 10\].*got \[5, 3, 10, 1\]/);
  });
  it("batchFirst input with the wrong feature size names the batch-first layout", () => {
    const m = new GRU({ inputSize: 4, hiddenSize: 2, batchFirst: true });
    expect(() => m.forward(tf.zeros([2, 7, 5]))).toThrow(/GRU.forward: input: expected shape \[B, T, 4\] \(batchFirst: \(B, T, I\), inputSize 4\), got \[2, 7, 5\]/);
  });
  it("mismatched state shape", () => {
    const h = tf.zeros([1, 3, 20]) as tf.Tensor3D;
    expect(() => lstm().forward(tf.zeros([5, 3, 10]), { h, c: h })).toThrow(
      "LSTM.forward: state.h: expected shape [2, 3, 20] (numLayers·D = 2, batch 3, hiddenSize 20), got [1, 3, 20].",
    );
    expect(() => lstm().forward(tf.zeros([5, 3, 10]), tf.zeros([2, 3, 20]) as never)).toThrow(
      "LSTM.forward: state: expected [h0, c0] (PyTorch's tuple) or {h, c}, got a tensor of shape [2, 3, 20].",
    );
  });
  it("numLayers < 1, bad sizes, dropout and nonlinearity", () => {
    expect(() => new LSTM({ inputSize: 10, hiddenSize: 20, numLayers: 0 })).toThrow("LSTM: numLayers: expected an integer ≥ 1, got 0.");
    expect(() => new GRU({ inputSize: 10, hiddenSize: 2.5 })).toThrow("GRU: hiddenSize: expected an integer ≥ 1, got 2.5.");
    expect(() => new RNN({ inputSize: 10, hiddenSize: 4, dropout: 1.5 })).toThrow("RNN: dropout: expected a number in [0, 1], got 1.5.");
    expect(() => new RNN({ inputSize: 10, hiddenSize: 4, nonlinearity: "sigmoid" as never })).toThrow('RNN: nonlinearity: expected one of "tanh", "relu", got "sigmoid".');
  });
  it("cells check x and state", () => {
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 4 });
    expect(() => cell.step(tf.zeros([2, 5]))).toThrow("LSTMCell.step: x: expected shape [B, 3] (inputSize 3), got [2, 5].");
    expect(() => cell.step(tf.zeros([2, 3]), { h: tf.zeros([3, 4]) as tf.Tensor2D, c: tf.zeros([2, 4]) as tf.Tensor2D })).toThrow("LSTMCell.step: state.h: expected shape [2, 4] (batch 2, hiddenSize 4), got [3, 4].");
    expect(() => cell.step(tf.zeros([2, 3]), [tf.zeros([2, 4]), tf.zeros([2, 5])])).toThrow("LSTMCell.step: state[1] (c): expected shape [2, 4] (batch 2, hiddenSize 4), got [2, 5].");
  });
  it("state dicts: wrong shape, missing and unexpected keys", () => {
    const m = new RNN({ inputSize: 2, hiddenSize: 3 });
    const sd = m.stateDict();
    expect(() => m.loadStateDict({ ...sd, weight_hh_l0: tf.zeros([3, 2]) })).toThrow("RNN.loadStateDict: weight_hh_l0: expected shape [3, 3], got [3, 2].");
    const { bias_hh_l0: _drop, ...missing } = sd;
    expect(() => m.loadStateDict(missing)).toThrow(/missing \[bias_hh_l0\]/);
    expect(() => m.loadStateDict({ ...sd, weight_ih_l1: [[1]] })).toThrow(/unexpected \[weight_ih_l1\]/);
  });
  it("losses and embeddings", () => {
    expect(() => crossEntropy(tf.zeros([4, 3]), [0, 1, 2])).toThrow("crossEntropy: targets: expected shape [4] (logits are [4, 3], so targets are the leading dims), got [3].");
    expect(() => crossEntropy(tf.zeros([2, 3]), [0, 3])).toThrow("crossEntropy: targets: expected class ids in [0, 3) or ignoreIndex -100, got 3 at position 1.");
    expect(() => mse(tf.zeros([2]), tf.zeros([3]))).toThrow("mse: target: expected shape [2] (same shape as prediction), got [3].");
    expect(() => new Embedding(5, 2).forward([[7]])).toThrow("Embedding.forward: ids: expected ids in [0, 5), got 7.");
  });
});
