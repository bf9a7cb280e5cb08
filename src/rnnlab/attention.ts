/**
 * Bahdanau (additive) attention and the encoder–decoder models it was invented for.
 *
 * The encoder turns the source x_1 … x_T into states h_1 … h_T. At output step t the decoder,
 * in state s_{t−1}, scores every encoder state, normalises the scores over the real (unmasked)
 * positions and reads a weighted average of the states:
 *
 *   e_tj = vᵀ tanh(W_s s_{t−1} + W_h h_j)                       scores      [B, T]
 *   α_tj = exp(e_tj) / Σ_{k unmasked} exp(e_tk),  0 at padding   weights     [B, T]
 *   c_t  = Σ_j α_tj h_j                                           context     [B, H]
 *
 * Parameter names follow PyTorch's nn.Linear inside named sub-modules: `W_s.weight` [A, H_s],
 * `W_h.weight` [A, H_h], `v.weight` [1, A] (no biases, as in the equations).
 *
 * Two decoders share one encoder design (Embedding → one fused GRU, batch first):
 *   - AttentionDecoder: s_t = GRU([embed(y_{t−1}); c_t], s_{t−1}), logits = Linear([s_t; c_t]);
 *   - BottleneckDecoder: s_t = GRU(embed(y_{t−1}), s_{t−1}), logits = Linear(s_t); it sees the
 *     source only through s_0 = h_T, the single vector every plain seq2seq squeezes it into.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Module } from "./module";
import { Embedding } from "./layers/embedding";
import { Linear } from "./layers/linear";
import { GRU } from "./layers/rnn";
import { describe, expectPositiveInt, expectShape } from "./validate";

/** The three weights of additive attention, as plain tensors: W_s [A, H_s], W_h [A, H_h], v [A]. */
export interface AdditiveParams {
  Ws: tf.Tensor2D;
  Wh: tf.Tensor2D;
  v: tf.Tensor1D;
}

export interface AttentionResult {
  /** α, [B, T]: each row sums to 1 over the unmasked positions, exactly 0 at masked ones. */
  weights: tf.Tensor2D;
  /** c, [B, H_h]: the α-weighted average of the keys. */
  context: tf.Tensor2D;
}

/** An attention function with the signature the notebook's exercise builds: query [B, H_s], keys [B, T, H_h], mask [B, T]. */
export type AttendFn = (query: tf.Tensor2D, keys: tf.Tensor3D, mask: tf.Tensor2D, params: AdditiveParams) => AttentionResult;

/** Checks that `mask` is [B, T] of 0/1 with at least one 1 per row (a row of padding only has no softmax). */
function checkMask(where: string, mask: tf.Tensor, B: number, T: number): void {
  expectShape(where, "mask", mask, [B, T], "1 at real positions, 0 at padding");
  const m = mask.dataSync();
  for (let b = 0; b < B; b++) {
    let any = false;
    for (let j = 0; j < T; j++) {
      const v = m[b * T + j];
      if (v !== 0 && v !== 1) throw new RangeError(`${where}: mask: expected only 0 and 1, got ${v} at [${b}, ${j}].`);
      if (v === 1) any = true;
    }
    if (!any) throw new RangeError(`${where}: mask: expected at least one 1 per row, got a row of zeros at batch index ${b}.`);
  }
}

/**
 * Checks int32 token ids [B, T] in [0, vocab); with `padId`, also that no row is only padding (such a
 * row has nothing to attend to, and its softmax would be 0/0).
 */
function checkIds(where: string, arg: string, ids: tf.Tensor, vocab: number, padId?: number): void {
  if (ids.dtype !== "int32") throw new TypeError(`${where}: ${arg}: expected int32 token ids, got dtype ${ids.dtype}.`);
  const [B, T] = ids.shape;
  const v = ids.dataSync();
  for (let b = 0; b < B; b++) {
    let real = false;
    for (let j = 0; j < T; j++) {
      const id = v[b * T + j];
      if (id < 0 || id >= vocab) throw new RangeError(`${where}: ${arg}: expected ids in [0, ${vocab}), got ${id} at [${b}, ${j}].`);
      if (id !== padId) real = true;
    }
    if (padId !== undefined && !real) throw new RangeError(`${where}: ${arg}: expected at least one token that is not padding (id ${padId}) per row, got a row of padding only at batch index ${b}.`);
  }
}

export interface BahdanauAttentionOptions {
  /** Size of the decoder state s (the query). */
  queryDim: number;
  /** Size of the encoder states h (the keys, also the values). */
  keyDim: number;
  /** Size A of the hidden layer of the score; default keyDim. */
  attnDim?: number;
}

export class BahdanauAttention extends Module {
  readonly queryDim: number;
  readonly keyDim: number;
  readonly attnDim: number;
  readonly W_s: Linear;
  readonly W_h: Linear;
  readonly v: Linear;

  constructor(options: BahdanauAttentionOptions) {
    super("BahdanauAttention");
    if (options === null || typeof options !== "object") throw new TypeError(`BahdanauAttention: options: expected {queryDim, keyDim, attnDim?}, got ${options}.`);
    this.queryDim = expectPositiveInt("BahdanauAttention", "options.queryDim", options.queryDim);
    this.keyDim = expectPositiveInt("BahdanauAttention", "options.keyDim", options.keyDim);
    this.attnDim = expectPositiveInt("BahdanauAttention", "options.attnDim", options.attnDim ?? options.keyDim);
    this.W_s = this.registerModule("W_s", new Linear(this.queryDim, this.attnDim, { bias: false }));
    this.W_h = this.registerModule("W_h", new Linear(this.keyDim, this.attnDim, { bias: false }));
    this.v = this.registerModule("v", new Linear(this.attnDim, 1, { bias: false }));
  }

  /** The weights as {Ws, Wh, v}, for an AttendFn; call inside the loss function so gradients reach them. */
  params(): AdditiveParams {
    return { Ws: this.W_s.weight as tf.Tensor2D, Wh: this.W_h.weight as tf.Tensor2D, v: tf.reshape(this.v.weight, [this.attnDim]) as tf.Tensor1D };
  }

  /** W_h h_j for every j, [B, T, A]: it does not depend on t, so a decoder computes it once per sequence. */
  projectKeys(keys: tf.Tensor3D): tf.Tensor3D {
    expectShape("BahdanauAttention.projectKeys", "keys", keys, ["B", "T", this.keyDim], `keyDim ${this.keyDim}`);
    return this.W_h.forward(keys) as tf.Tensor3D;
  }

  /**
   * query s [B, queryDim], keys h [B, T, keyDim], mask [B, T] (default all ones) → {weights, context}.
   * `projectedKeys` (from projectKeys) skips recomputing W_h h at every decoder step.
   */
  forward(query: tf.Tensor2D, keys: tf.Tensor3D, mask?: tf.Tensor2D, projectedKeys?: tf.Tensor3D): AttentionResult {
    const where = "BahdanauAttention.forward";
    expectShape(where, "keys", keys, ["B", "T", this.keyDim], `keyDim ${this.keyDim}`);
    const [B, T] = keys.shape;
    expectShape(where, "query", query, [B, this.queryDim], `batch ${B} from keys, queryDim ${this.queryDim}`);
    if (mask !== undefined) checkMask(where, mask, B, T);
    if (projectedKeys !== undefined) expectShape(where, "projectedKeys", projectedKeys, [B, T, this.attnDim], "projectKeys(keys)");
    return this.attendUnchecked(query, keys, mask, projectedKeys);
  }

  /** forward without the checks (the mask's values cost a read-back): for decoders that built the mask themselves. */
  attendUnchecked(query: tf.Tensor2D, keys: tf.Tensor3D, mask?: tf.Tensor2D, projectedKeys?: tf.Tensor3D): AttentionResult {
    const [B, T] = keys.shape;
    return tf.tidy(() => {
      const pk = projectedKeys ?? this.W_h.forward(keys);
      const hidden = tf.tanh(tf.add(pk, tf.expandDims(this.W_s.forward(query), 1)));            // [B, T, A]
      const scores = tf.reshape(this.v.forward(hidden), [B, T]) as tf.Tensor2D;                    // e_tj
      const weights = stableMaskedSoftmax(scores, mask);                                           // α_tj
      const context = tf.reshape(tf.matMul(tf.expandDims(weights, 1), keys), [B, this.keyDim]) as tf.Tensor2D; // c_t
      return { weights, context };
    });
  }

  describe(): string {
    return `BahdanauAttention(queryDim=${this.queryDim}, keyDim=${this.keyDim}, attnDim=${this.attnDim})`;
  }
}

/** softmax over axis 1 with the maximum subtracted; masked positions get −∞ before, so exp gives exactly 0. */
function stableMaskedSoftmax(scores: tf.Tensor2D, mask?: tf.Tensor2D): tf.Tensor2D {
  const masked = mask === undefined ? scores : tf.where(tf.cast(mask, "bool"), scores, tf.fill(scores.shape, -Infinity));
  return tf.softmax(masked, 1) as tf.Tensor2D;
}

export interface EncoderDecoderOptions {
  /** Token ids are in [0, vocabSize); id `padId` is padding. */
  vocabSize: number;
  embedDim: number;
  hiddenSize: number;
  /** "attention" (Bahdanau) or "bottleneck" (the plain encoder–decoder). */
  decoder: "attention" | "bottleneck";
  /** Hidden size A of the attention score; default hiddenSize. */
  attnDim?: number;
  /** Default 0. */
  padId?: number;
  /** Replaces the library's attention (same weights, same signature): how a learner's own function drives the model. */
  attend?: AttendFn;
}

export interface DecodeResult {
  /** [B, T_out, V] */
  logits: tf.Tensor3D;
  /** [B, T_out, T_in] attention weights (attention decoder only). */
  weights?: tf.Tensor3D;
}

function checkDecoderSizes(where: string, vocabSize: number, embedDim: number, hiddenSize: number): void {
  expectPositiveInt(where, "vocabSize", vocabSize, 2);
  expectPositiveInt(where, "embedDim", embedDim);
  expectPositiveInt(where, "hiddenSize", hiddenSize);
}

/** The decoder of Bahdanau et al.: at every step it attends over all encoder states with its previous state. */
export class AttentionDecoder extends Module {
  readonly embedding: Embedding;
  readonly attention: BahdanauAttention;
  readonly gru: GRU;
  readonly out: Linear;
  attend?: AttendFn;

  constructor(readonly vocabSize: number, readonly embedDim: number, readonly hiddenSize: number, attnDim = hiddenSize, attend?: AttendFn) {
    super("AttentionDecoder");
    checkDecoderSizes("AttentionDecoder", vocabSize, embedDim, hiddenSize);
    if (attend !== undefined && typeof attend !== "function") throw new TypeError(`AttentionDecoder: attend: expected a function (query, keys, mask, params) → {weights, context}, got ${describe(attend)}.`);
    this.embedding = this.registerModule("embedding", new Embedding(vocabSize, embedDim));
    this.attention = this.registerModule("attention", new BahdanauAttention({ queryDim: hiddenSize, keyDim: hiddenSize, attnDim }));
    // A one-step GRU layer: the fused kernel does a whole step (and its gradient) as one operation.
    this.gru = this.registerModule("gru", new GRU({ inputSize: embedDim + hiddenSize, hiddenSize }));
    this.out = this.registerModule("out", new Linear(2 * hiddenSize, vocabSize));
    this.attend = attend;
  }

  /** One step: previous token ids [B], state s_{t−1} [B, H] → logits [B, V], s_t, α_t [B, T_in]. */
  step(prevIds: tf.Tensor1D, s: tf.Tensor2D, keys: tf.Tensor3D, mask: tf.Tensor2D, projectedKeys?: tf.Tensor3D): { logits: tf.Tensor2D; s: tf.Tensor2D; weights: tf.Tensor2D; context: tf.Tensor2D } {
    const { weights, context } = this.attend ? this.attend(s, keys, mask, this.attention.params()) : this.attention.attendUnchecked(s, keys, mask, projectedKeys);
    const x = tf.concat([this.embedding.forward(prevIds) as tf.Tensor2D, context], 1);
    const next = tf.squeeze(this.gru.forward(tf.expandDims(x, 0), tf.expandDims(s, 0)).h, [0]) as tf.Tensor2D;
    const logits = this.out.forward(tf.concat([next, context], 1)) as tf.Tensor2D;
    return { logits, s: next, weights, context };
  }

  /** Teacher forcing: the true previous tokens `inputs` [B, T_out] drive every step. */
  forward(inputs: tf.Tensor2D, keys: tf.Tensor3D, mask: tf.Tensor2D, s0: tf.Tensor2D): DecodeResult {
    const pk = this.attend ? undefined : this.attention.projectKeys(keys);
    const cols = tf.unstack(inputs, 1) as tf.Tensor1D[];
    let s = s0;
    const logits: tf.Tensor2D[] = [];
    const weights: tf.Tensor2D[] = [];
    for (const prev of cols) {
      const r = this.step(prev, s, keys, mask, pk);
      s = r.s;
      logits.push(r.logits);
      weights.push(r.weights);
    }
    return { logits: tf.stack(logits, 1) as tf.Tensor3D, weights: tf.stack(weights, 1) as tf.Tensor3D };
  }

  describe(): string {
    return `AttentionDecoder(vocab=${this.vocabSize}, embed=${this.embedDim}, hidden=${this.hiddenSize}${this.attend ? ", attend=custom" : ""})`;
  }
}

/** The plain decoder: the source reaches it only through its initial state s_0 = h_T. */
export class BottleneckDecoder extends Module {
  readonly embedding: Embedding;
  readonly gru: GRU;
  readonly out: Linear;

  constructor(readonly vocabSize: number, readonly embedDim: number, readonly hiddenSize: number) {
    super("BottleneckDecoder");
    checkDecoderSizes("BottleneckDecoder", vocabSize, embedDim, hiddenSize);
    this.embedding = this.registerModule("embedding", new Embedding(vocabSize, embedDim));
    this.gru = this.registerModule("gru", new GRU({ inputSize: embedDim, hiddenSize, batchFirst: true }));
    this.out = this.registerModule("out", new Linear(hiddenSize, vocabSize));
  }

  step(prevIds: tf.Tensor1D, s: tf.Tensor2D): { logits: tf.Tensor2D; s: tf.Tensor2D } {
    const x = tf.expandDims(this.embedding.forward(prevIds), 1) as tf.Tensor3D;
    const next = tf.squeeze(this.gru.forward(x, tf.expandDims(s, 0)).h, [0]) as tf.Tensor2D;
    return { logits: this.out.forward(next) as tf.Tensor2D, s: next };
  }

  /** Teacher forcing, all steps in one fused GRU call. */
  forward(inputs: tf.Tensor2D, s0: tf.Tensor2D): DecodeResult {
    const { output } = this.gru.forward(this.embedding.forward(inputs), tf.expandDims(s0, 0));
    return { logits: this.out.forward(output) as tf.Tensor3D };
  }

  describe(): string {
    return `BottleneckDecoder(vocab=${this.vocabSize}, embed=${this.embedDim}, hidden=${this.hiddenSize})`;
  }
}

/**
 * Embedding → GRU encoder and one of the two decoders. Sources are LEFT-padded (padding first), so
 * the encoder's last state h_T follows the real tokens; the attention mask hides the padding.
 * The padding embedding is zero, but the GRU's biases still move its state over padding steps, so
 * the state the real tokens start from depends a little on how much padding precedes them: batch
 * sources of similar lengths.
 */
export class GRUEncoderDecoder extends Module {
  readonly embedding: Embedding;
  readonly encoder: GRU;
  readonly decoder: AttentionDecoder | BottleneckDecoder;
  readonly kind: "attention" | "bottleneck";
  readonly padId: number;

  constructor(options: EncoderDecoderOptions) {
    super("GRUEncoderDecoder");
    const where = "GRUEncoderDecoder";
    if (options === null || typeof options !== "object") throw new TypeError(`${where}: options: expected {vocabSize, embedDim, hiddenSize, decoder}, got ${options}.`);
    const V = expectPositiveInt(where, "options.vocabSize", options.vocabSize, 2);
    const E = expectPositiveInt(where, "options.embedDim", options.embedDim);
    const H = expectPositiveInt(where, "options.hiddenSize", options.hiddenSize);
    if (options.decoder !== "attention" && options.decoder !== "bottleneck") {
      throw new RangeError(`${where}: options.decoder: expected "attention" or "bottleneck", got ${JSON.stringify(options.decoder)}.`);
    }
    if (options.attend !== undefined && typeof options.attend !== "function") throw new TypeError(`${where}: options.attend: expected a function (query, keys, mask, params) → {weights, context}, got ${describe(options.attend)}.`);
    this.kind = options.decoder;
    this.padId = options.padId ?? 0;
    if (!Number.isInteger(this.padId) || this.padId < 0 || this.padId >= V) throw new RangeError(`${where}: options.padId: expected an integer in [0, ${V}), got ${options.padId}.`);
    this.embedding = this.registerModule("embedding", new Embedding(V, E, { paddingIdx: this.padId }));
    this.encoder = this.registerModule("encoder", new GRU({ inputSize: E, hiddenSize: H, batchFirst: true }));
    this.decoder = this.registerModule("decoder", this.kind === "attention" ? new AttentionDecoder(V, E, H, options.attnDim ?? H, options.attend) : new BottleneckDecoder(V, E, H));
  }

  /** Encoder states [B, T_in, H], the mask [B, T_in] (1 = real token) and s_0 = h_T [B, H]. */
  encode(source: tf.Tensor2D): { keys: tf.Tensor3D; mask: tf.Tensor2D; s0: tf.Tensor2D } {
    const where = `GRUEncoderDecoder.encode`;
    expectShape(where, "source", source, ["B", "T_in"], "int32 token ids, left-padded");
    checkIds(where, "source", source, this.decoder.vocabSize, this.padId);
    const mask = tf.cast(tf.notEqual(source, this.padId), "float32") as tf.Tensor2D;
    const { output, h } = this.encoder.forward(this.embedding.forward(source));
    return { keys: output, mask, s0: tf.squeeze(h, [0]) as tf.Tensor2D };
  }

  /** Teacher forcing: source [B, T_in], decoder inputs [B, T_out] (start token, then the target shifted right). */
  forward(source: tf.Tensor2D, decoderInputs: tf.Tensor2D): DecodeResult {
    const where = "GRUEncoderDecoder.forward";
    expectShape(where, "decoderInputs", decoderInputs, [source?.shape?.[0] ?? "B", "T_out"], "batch as source");
    checkIds(where, "decoderInputs", decoderInputs, this.decoder.vocabSize);
    const { keys, mask, s0 } = this.encode(source);
    return this.decoder instanceof AttentionDecoder ? this.decoder.forward(decoderInputs, keys, mask, s0) : this.decoder.forward(decoderInputs, s0);
  }

  /** Greedy decoding for `steps` tokens after `startId`: ids [B, steps] and, with attention, weights [B, steps, T_in]. */
  greedy(source: tf.Tensor2D, startId: number, steps: number): { ids: tf.Tensor2D; weights?: tf.Tensor3D } {
    const where = "GRUEncoderDecoder.greedy";
    expectPositiveInt(where, "steps", steps);
    const V = this.decoder.vocabSize;
    if (!Number.isInteger(startId) || startId < 0 || startId >= V) throw new RangeError(`${where}: startId: expected an integer in [0, ${V}), got ${startId}.`);
    return tf.tidy(() => {
      const { keys, mask, s0 } = this.encode(source);
      const B = source.shape[0];
      let prev = tf.fill([B], startId, "int32") as tf.Tensor1D;
      let s = s0;
      const ids: tf.Tensor1D[] = [];
      const weights: tf.Tensor2D[] = [];
      const dec = this.decoder;
      const pk = dec instanceof AttentionDecoder && !dec.attend ? dec.attention.projectKeys(keys) : undefined;
      for (let t = 0; t < steps; t++) {
        let r: { logits: tf.Tensor2D; s: tf.Tensor2D };
        if (dec instanceof AttentionDecoder) {
          const a = dec.step(prev, s, keys, mask, pk);
          weights.push(a.weights);
          r = a;
        } else {
          r = dec.step(prev, s);
        }
        s = r.s;
        prev = tf.cast(tf.argMax(r.logits, 1), "int32") as tf.Tensor1D;
        ids.push(prev);
      }
      const out = tf.stack(ids, 1) as tf.Tensor2D;
      return weights.length ? { ids: out, weights: tf.stack(weights, 1) as tf.Tensor3D } : { ids: out };
    });
  }

  describe(): string {
    return `GRUEncoderDecoder(decoder=${this.kind})`;
  }
}

