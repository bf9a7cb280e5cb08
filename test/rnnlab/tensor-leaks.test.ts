/**
 * A recurrent layer keeps only its parameters: dispose() frees every tensor it made, and a
 * forward call (under tf.tidy or with its results disposed) leaves nothing behind, for every
 * layer, direction count, depth and implementation.
 */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { Embedding, GRU, LSTM, Linear, Module, RNN, crossEntropy, manualSeed, mse, ready, trainStep } from "../../src/rnnlab";
import { randn } from "./helpers";

beforeAll(async () => {
  await ready();
});

const layers = {
  RNN: (o: { bidirectional: boolean; numLayers: number; impl: "fused" | "reference" }) => new RNN({ inputSize: 3, hiddenSize: 4, ...o }),
  LSTM: (o: { bidirectional: boolean; numLayers: number; impl: "fused" | "reference" }) => new LSTM({ inputSize: 3, hiddenSize: 4, ...o }),
  GRU: (o: { bidirectional: boolean; numLayers: number; impl: "fused" | "reference" }) => new GRU({ inputSize: 3, hiddenSize: 4, ...o }),
  "GRU reset-before": (o: { bidirectional: boolean; numLayers: number; impl: "fused" | "reference" }) =>
    new GRU({ inputSize: 3, hiddenSize: 4, resetAfter: false, ...o }),
};

const cases = Object.keys(layers).flatMap((name) =>
  [false, true].flatMap((bidirectional) =>
    [1, 2].flatMap((numLayers) => (["fused", "reference"] as const).map((impl) => ({ name: name as keyof typeof layers, bidirectional, numLayers, impl }))),
  ),
);

describe("recurrent layers leave no tensors behind", () => {
  const x = randn([5, 2, 3], 1);

  it.each(cases)("$name bidirectional=$bidirectional numLayers=$numLayers $impl: dispose() frees all it made", ({ name, ...o }) => {
    manualSeed(1);
    const before = tf.memory().numTensors;
    const layer = layers[name](o);
    layer.dispose();
    expect(tf.memory().numTensors - before).toBe(0);
  });

  it.each(cases)("$name bidirectional=$bidirectional numLayers=$numLayers $impl: forward and gradients leave nothing", ({ name, ...o }) => {
    manualSeed(2);
    const layer = layers[name](o);
    const start = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const r = layer.forward(x);
      tf.dispose(Object.values(r));
    }
    expect(tf.memory().numTensors - start, "after 3 forward calls").toBe(0);
    for (let i = 0; i < 2; i++) {
      const { value, grads } = layer.gradients(() => mse(layer.forward(x).output, tf.zerosLike(layer.forward(x).output)));
      tf.dispose([value, grads]);
    }
    expect(tf.memory().numTensors - start, "after 2 gradient computations").toBe(0);
    layer.dispose();
  });
});

/** The course's bidirectional sequence classifier (03-lstm, Exercise 3), made and freed per call. */
class SeqClassifier extends Module {
  embed = this.registerModule("embed", new Embedding(7, 3));
  lstm = this.registerModule("lstm", new LSTM({ inputSize: 3, hiddenSize: 4, bidirectional: true, batchFirst: true }));
  head = this.registerModule("head", new Linear(8, 2));
  constructor() {
    super("SeqClassifier");
  }
  forward(ids: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const [fwd, bwd] = tf.unstack(this.lstm.forward(this.embed.forward(ids)).h);
      return this.head.forward(tf.concat([fwd, bwd], 1)) as tf.Tensor2D;
    });
  }
  describe() {
    return "SeqClassifier";
  }
}

describe("a model made, loaded, run and disposed per call leaves nothing", () => {
  const ids = tf.tensor2d([[1, 2, 3, 4], [5, 6, 0, 1]], undefined, "int32");
  const labels = tf.tensor1d([0, 1], "int32");

  it("loadStateDict → forward → stateDict → dispose, three times", () => {
    manualSeed(3);
    const source = new SeqClassifier();
    const weights = source.stateDict();
    const start = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const model = new SeqClassifier();
      model.loadStateDict(weights);
      const logits = model.forward(ids);
      const sd = model.stateDict();
      tf.dispose([logits, ...Object.values(sd)]);
      model.dispose();
    }
    expect(tf.memory().numTensors - start).toBe(0);
    tf.dispose(Object.values(weights));
    source.dispose();
  });

  it("trainStep with Adam, then dispose the model and the optimizer", () => {
    manualSeed(4);
    const start = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      const model = new SeqClassifier();
      const optimizer = tf.train.adam(0.01);
      for (let s = 0; s < 3; s++) trainStep(model, optimizer, () => crossEntropy(model.forward(ids), labels), { maxNorm: 1 });
      model.dispose();
      optimizer.dispose();
    }
    expect(tf.memory().numTensors - start).toBe(0);
  });
});
