/**
 * The encoder–decoder (sequence-to-sequence) model of Sutskever et al. (2014) and Cho et al. (2014),
 * with GRUs, batch first.
 *
 * The encoder reads the source x_1 … x_T (right-padded; `lengths` says where each row ends):
 *
 *   h_t = GRU(embed(x_t), h_{t−1}),   h_0 = 0,   c = h_{T_b}   (the state after the last real token)
 *
 * and the decoder writes the target y_1 … y_U from that one vector, token by token:
 *
 *   s_0 = c,   s_u = GRU(embed(y_{u−1}), s_{u−1}),   p(y_u | y_<u, x) = softmax(W s_u + b)
 *
 * where y_0 is the start token. Everything the decoder knows about the source passes through the
 * fixed-size c: the bottleneck. With teacher forcing the inputs y_0 … y_{U−1} are the true tokens,
 * so the whole target runs through the decoder's GRU in one fused call; when decoding, each step's
 * input is the token chosen at the step before (`step`, a DecodeStepFn).
 */
import * as tf from "@tensorflow/tfjs-core";
import { Module } from "../module";
import { Embedding } from "../layers/embedding";
import { Linear } from "../layers/linear";
import { GRU } from "../layers/rnn";
import { describe, expectPositiveInt, expectShape } from "../validate";
import { crossEntropy } from "../losses";
import { trainStep, type StepResult } from "../train";

/**
 * One decoding step for a batch of hypotheses: the previous token of each [K] (int32) and its state
 * [K, S] → log-probabilities of the next token [K, V] and the new states [K, S]. Greedy decoding and
 * beam search are written against this, so they work for any decoder (or a hand-made table).
 */
export type DecodeStepFn = (prev: tf.Tensor1D, state: tf.Tensor2D) => { logProbs: tf.Tensor2D; state: tf.Tensor2D };

function expectIds(where: string, arg: string, t: tf.Tensor, rank: number, vocab: number): void {
  expectShape(where, arg, t, rank === 1 ? ["B"] : ["B", "T"], "int32 token ids");
  if (t.dtype !== "int32") throw new TypeError(`${where}: ${arg}: expected int32 token ids, got dtype ${t.dtype}.`);
  const v = t.dataSync();
  for (let i = 0; i < v.length; i++) {
    if (v[i] < 0 || v[i] >= vocab) throw new RangeError(`${where}: ${arg}: expected ids in [0, ${vocab}), got ${v[i]} at flat index ${i}.`);
  }
}

function expectLengths(where: string, lengths: unknown, B: number, T: number): number[] {
  if (!Array.isArray(lengths) || lengths.length !== B) {
    throw new TypeError(`${where}: lengths: expected an array of ${B} lengths (one per row of source), got ${describe(lengths)}.`);
  }
  lengths.forEach((n, b) => {
    if (!Number.isInteger(n) || n < 1 || n > T) throw new RangeError(`${where}: lengths: expected integers in [1, ${T}], got ${describe(n)} at index ${b}.`);
  });
  return lengths as number[];
}

export interface EncoderOptions {
  vocabSize: number;
  embedDim: number;
  hiddenSize: number;
  /** Padding id: its embedding is zero and gets no gradient. Default 0. */
  padId?: number;
}

/** Embedding → one GRU layer. Returns every state (for attention) and the last real one (for the bottleneck). */
export class Encoder extends Module {
  readonly embedding: Embedding;
  readonly gru: GRU;
  readonly vocabSize: number;
  readonly hiddenSize: number;

  constructor(options: EncoderOptions) {
    super("Encoder");
    if (options === null || typeof options !== "object") throw new TypeError(`Encoder: options: expected {vocabSize, embedDim, hiddenSize, padId?}, got ${describe(options)}.`);
    this.vocabSize = expectPositiveInt("Encoder", "options.vocabSize", options.vocabSize);
    const E = expectPositiveInt("Encoder", "options.embedDim", options.embedDim);
    this.hiddenSize = expectPositiveInt("Encoder", "options.hiddenSize", options.hiddenSize);
    this.embedding = this.registerModule("embedding", new Embedding(this.vocabSize, E, { paddingIdx: options.padId ?? 0 }));
    this.gru = this.registerModule("gru", new GRU({ inputSize: E, hiddenSize: this.hiddenSize, batchFirst: true }));
  }

  /**
   * source [B, T] int32, right-padded; lengths[b] real tokens in row b (default: all T) →
   * states [B, T, H] and final [B, H] = the state after token lengths[b].
   */
  forward(source: tf.Tensor2D, lengths?: number[]): { states: tf.Tensor3D; final: tf.Tensor2D } {
    const where = "Encoder.forward";
    expectIds(where, "source", source, 2, this.vocabSize);
    const [B, T] = source.shape;
    const lens = lengths === undefined ? new Array<number>(B).fill(T) : expectLengths(where, lengths, B, T);
    return tf.tidy(() => {
      const { output } = this.gru.forward(this.embedding.forward(source));
      // Pick h_{len_b} with a one-hot mask over time: a product, whose gradient wasm supports (gather's needs a segment sum).
      const pick = tf.oneHot(tf.tensor1d(lens.map((n) => n - 1), "int32"), T); // [B, T]
      const final = tf.sum(tf.mul(output, tf.expandDims(pick, 2)), 1) as tf.Tensor2D;
      return { states: output, final };
    });
  }

  describe(): string {
    return `Encoder(vocab=${this.vocabSize}, hidden=${this.hiddenSize})`;
  }
}

export interface DecoderOptions {
  vocabSize: number;
  embedDim: number;
  hiddenSize: number;
}

/** Embedding → one GRU layer started from the encoder's vector → Linear to the target vocabulary. */
export class Decoder extends Module {
  readonly embedding: Embedding;
  readonly gru: GRU;
  readonly out: Linear;
  readonly vocabSize: number;
  readonly hiddenSize: number;

  constructor(options: DecoderOptions) {
    super("Decoder");
    if (options === null || typeof options !== "object") throw new TypeError(`Decoder: options: expected {vocabSize, embedDim, hiddenSize}, got ${describe(options)}.`);
    this.vocabSize = expectPositiveInt("Decoder", "options.vocabSize", options.vocabSize, 2);
    const E = expectPositiveInt("Decoder", "options.embedDim", options.embedDim);
    this.hiddenSize = expectPositiveInt("Decoder", "options.hiddenSize", options.hiddenSize);
    this.embedding = this.registerModule("embedding", new Embedding(this.vocabSize, E));
    this.gru = this.registerModule("gru", new GRU({ inputSize: E, hiddenSize: this.hiddenSize, batchFirst: true }));
    this.out = this.registerModule("out", new Linear(this.hiddenSize, this.vocabSize));
  }

  /** Teacher forcing: inputs [B, U] (start token, then the target shifted right), s0 [B, H] → logits [B, U, V]. */
  forward(inputs: tf.Tensor2D, s0: tf.Tensor2D): tf.Tensor3D {
    const where = "Decoder.forward";
    expectIds(where, "inputs", inputs, 2, this.vocabSize);
    expectShape(where, "s0", s0, [inputs.shape[0], this.hiddenSize], `batch ${inputs.shape[0]} from inputs, hiddenSize ${this.hiddenSize}`);
    return tf.tidy(() => {
      const { output } = this.gru.forward(this.embedding.forward(inputs), tf.expandDims(s0, 0));
      return this.out.forward(output) as tf.Tensor3D;
    });
  }

  /** One free-running step, a DecodeStepFn: prev [K] int32, state [K, H] → log-probabilities [K, V], state [K, H]. */
  step(prev: tf.Tensor1D, state: tf.Tensor2D): { logProbs: tf.Tensor2D; state: tf.Tensor2D } {
    const where = "Decoder.step";
    expectIds(where, "prev", prev, 1, this.vocabSize);
    expectShape(where, "state", state, [prev.shape[0], this.hiddenSize], `batch ${prev.shape[0]} from prev, hiddenSize ${this.hiddenSize}`);
    return tf.tidy(() => {
      const x = tf.expandDims(this.embedding.forward(prev), 1) as tf.Tensor3D; // [K, 1, E]
      const next = tf.squeeze(this.gru.forward(x, tf.expandDims(state, 0)).h, [0]) as tf.Tensor2D;
      return { logProbs: tf.logSoftmax(this.out.forward(next) as tf.Tensor2D, 1) as tf.Tensor2D, state: next };
    });
  }

  describe(): string {
    return `Decoder(vocab=${this.vocabSize}, hidden=${this.hiddenSize})`;
  }
}

export interface Seq2SeqOptions {
  sourceVocab: number;
  targetVocab: number;
  embedDim: number;
  hiddenSize: number;
  /** Padding id of the source (default 0). */
  sourcePadId?: number;
}

/** Encoder + Decoder, joined only by the encoder's final state. */
export class Seq2Seq extends Module {
  readonly encoder: Encoder;
  readonly decoder: Decoder;
  /** `decoder.step`, bound: pass it to a decoding function. */
  readonly step: DecodeStepFn;

  constructor(options: Seq2SeqOptions) {
    super("Seq2Seq");
    if (options === null || typeof options !== "object") throw new TypeError(`Seq2Seq: options: expected {sourceVocab, targetVocab, embedDim, hiddenSize}, got ${describe(options)}.`);
    const { sourceVocab, targetVocab, embedDim, hiddenSize } = options;
    this.encoder = this.registerModule("encoder", new Encoder({ vocabSize: sourceVocab, embedDim, hiddenSize, padId: options.sourcePadId }));
    this.decoder = this.registerModule("decoder", new Decoder({ vocabSize: targetVocab, embedDim, hiddenSize }));
    this.step = (prev, state) => this.decoder.step(prev, state);
  }

  /** The decoder's start state c [B, H] for each source row: the bottleneck vector. */
  encode(source: tf.Tensor2D, lengths?: number[]): tf.Tensor2D {
    return this.encoder.forward(source, lengths).final;
  }

  /** Teacher forcing: source [B, T], its lengths, decoder inputs [B, U] → logits [B, U, V]. */
  forward(source: tf.Tensor2D, lengths: number[] | undefined, decoderInputs: tf.Tensor2D): tf.Tensor3D {
    expectShape("Seq2Seq.forward", "decoderInputs", decoderInputs, [source?.shape?.[0] ?? "B", "U"], "same batch as source");
    return this.decoder.forward(decoderInputs, this.encode(source, lengths));
  }

  describe(): string {
    return `Seq2Seq(${this.encoder.describe()} → ${this.decoder.describe()})`;
  }
}

/** A teacher-forcing batch: source [B, T] right-padded with its lengths, decoder inputs and targets [B, U]. */
export interface Seq2SeqBatch {
  source: tf.Tensor2D;
  lengths?: number[];
  /** The start token, then the target shifted right by one. */
  decoderInputs: tf.Tensor2D;
  /** The target tokens, ending with the end token; `padId` where a row is shorter. */
  targets: tf.Tensor2D;
}

/**
 * One teacher-forced optimisation step: L = −(1/N) Σ_{b,u: y_bu ≠ pad} log p(y_bu | y_b,<u, x_b), where the
 * decoder reads the true previous tokens. Returns the loss and the gradient norm before clipping.
 */
export function teacherForcedStep(model: Seq2Seq, optimizer: tf.Optimizer, batch: Seq2SeqBatch, options: { maxNorm?: number; padId?: number } = {}): StepResult {
  const where = "teacherForcedStep";
  if (!(model instanceof Seq2Seq)) throw new TypeError(`${where}: model: expected a Seq2Seq, got ${describe(model)}.`);
  if (batch === null || typeof batch !== "object") throw new TypeError(`${where}: batch: expected {source, lengths?, decoderInputs, targets}, got ${describe(batch)}.`);
  expectShape(where, "batch.targets", batch.targets, batch.decoderInputs?.shape ?? ["B", "U"], "same shape as batch.decoderInputs");
  return trainStep(model, optimizer, () => crossEntropy(model.forward(batch.source, batch.lengths, batch.decoderInputs), batch.targets, { ignoreIndex: options.padId ?? 0 }), { maxNorm: options.maxNorm });
}
