import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { GRU, LSTM, RNN, ready } from "../../src/rnnlab";
import { maxAbsDiff } from "./helpers";
import { randomArray, randomStateDict } from "./torch-reference";

beforeAll(async () => {
  await ready();
});

const [B, T, I, H] = [3, 6, 4, 5];
const x = () => tf.tensor3d(randomArray([B, T, I], 3)); // batch-first, as tf.layers expects

function keras(layer: tfl.layers.Layer, weights: tf.Tensor[]): tf.Tensor {
  const model = tfl.sequential({ layers: [layer] });
  layer.setWeights(weights);
  const y = model.predict(x()) as tf.Tensor;
  return y;
}

const T2 = (m: number[][]) => tf.transpose(tf.tensor2d(m));
const rows = (m: number[][], from: number, to: number) => m.slice(from, to);
const add = (a: number[], b: number[]) => a.map((v, i) => v + b[i]);

describe("forward parity with tf.layers, given the same weights", () => {
  it("RNN matches tf.layers.simpleRNN within 1e-5", () => {
    const sd = randomStateDict("rnn_tanh", I, H, 1, false, 21);
    const ours = new RNN({ inputSize: I, hiddenSize: H, batchFirst: true });
    ours.loadStateDict(sd);
    const theirs = keras(tfl.layers.simpleRNN({ units: H, returnSequences: true, inputShape: [T, I] }), [
      T2(sd.weight_ih_l0 as number[][]), T2(sd.weight_hh_l0 as number[][]), tf.tensor1d(add(sd.bias_ih_l0 as number[], sd.bias_hh_l0 as number[])),
    ]);
    expect(maxAbsDiff(ours.forward(x()).output, theirs)).toBeLessThan(1e-5);
  });

  it("LSTM matches tf.layers.lstm with recurrentActivation 'sigmoid' within 1e-5", () => {
    const sd = randomStateDict("lstm", I, H, 1, false, 22);
    const ours = new LSTM({ inputSize: I, hiddenSize: H, batchFirst: true });
    ours.loadStateDict(sd);
    // Keras's gate order i, f, c, o is PyTorch's i, f, g, o; its one bias is the sum of PyTorch's two.
    const theirs = keras(tfl.layers.lstm({ units: H, returnSequences: true, recurrentActivation: "sigmoid", inputShape: [T, I] }), [
      T2(sd.weight_ih_l0 as number[][]), T2(sd.weight_hh_l0 as number[][]), tf.tensor1d(add(sd.bias_ih_l0 as number[], sd.bias_hh_l0 as number[])),
    ]);
    expect(maxAbsDiff(ours.forward(x()).output, theirs)).toBeLessThan(1e-5);
  });

  it("GRU with resetAfter: false matches tf.layers.gru (reset-before) within 1e-5", () => {
    const sd = randomStateDict("gru", I, H, 1, false, 23);
    // Keras's reset-before GRU has no recurrent bias on the candidate: zero b_hn.
    const bhh = sd.bias_hh_l0 as number[];
    for (let j = 2 * H; j < 3 * H; j++) bhh[j] = 0;
    const ours = new GRU({ inputSize: I, hiddenSize: H, batchFirst: true, resetAfter: false });
    ours.loadStateDict(sd);
    // Keras orders the gates z, r, h; PyTorch r, z, n.
    const reorder = (m: number[][]) => [...rows(m, H, 2 * H), ...rows(m, 0, H), ...rows(m, 2 * H, 3 * H)];
    const b = add(sd.bias_ih_l0 as number[], bhh);
    const theirs = keras(tfl.layers.gru({ units: H, returnSequences: true, recurrentActivation: "sigmoid", inputShape: [T, I] }), [
      T2(reorder(sd.weight_ih_l0 as number[][])), T2(reorder(sd.weight_hh_l0 as number[][])), tf.tensor1d([...b.slice(H, 2 * H), ...b.slice(0, H), ...b.slice(2 * H)]),
    ]);
    expect(maxAbsDiff(ours.forward(x()).output, theirs)).toBeLessThan(1e-5);
    // The reset-after form (PyTorch's default) is a different function: it must not match.
    const after = new GRU({ inputSize: I, hiddenSize: H, batchFirst: true });
    after.loadStateDict(sd);
    expect(maxAbsDiff(after.forward(x()).output, theirs)).toBeGreaterThan(1e-3);
  });
});
