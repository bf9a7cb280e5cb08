/**
 * Multi-layer, optionally bidirectional recurrent layers with PyTorch's API and shapes:
 *
 *   input   (T, B, I), or (B, T, I) with batchFirst, or unbatched (T, I)
 *   output  (T, B, D·H), or (B, T, D·H) with batchFirst          D = 2 if bidirectional
 *   h, c    (numLayers·D, B, H), ordered layer 0 forward, layer 0 reverse, layer 1 forward, …
 *
 * Layer l > 0 reads the concatenated outputs of both directions of layer l − 1, after dropout
 * (only while training). Parameters are named as in PyTorch: weight_ih_l{k}[_reverse], …, and
 * stored side by side in one flat variable, in PyTorch's flat-weights order (flat-parameters.ts).
 *
 * Two implementations compute the same thing:
 *   "fused"      each layer-direction is one differentiable op with hand-derived BPTT (fast);
 *   "reference"  the readable cells from ../cells, unrolled one timestep at a time with tfjs ops.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { CellWeights } from "../cells/cell-base";
import type { CellKernel } from "../fused/cell-kernels";
import { recurrence } from "../fused/recurrence";
import { FlatParameters } from "../flat-parameters";
import { Module } from "../module";
import { defaultGenerator } from "../random";
import { expectBoolean, expectKnownOptions, expectOneOf, expectPositiveInt, expectRange, expectShape } from "../validate";
import { dropout } from "./dropout";
import { readState, type HiddenOutput } from "./recurrent-state";

export interface RecurrentOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  dropout?: number;
  bidirectional?: boolean;
  /** "fused" (default) or "reference"; both give the same numbers. */
  impl?: "fused" | "reference";
}

/** Either layer's result, for code that handles all three (LSTM's is LSTMOutput, with c). */
export type RecurrentOutput = HiddenOutput & { c?: tf.Tensor3D };
/** The `{h, c}` form of an initial state (see recurrent-state.ts for every accepted form). */
export type RecurrentState = { h: tf.Tensor3D; c?: tf.Tensor3D };

/** The options every recurrent layer reads; a subclass adds its own (nonlinearity, resetAfter). */
export const RECURRENT_OPTION_KEYS = ["inputSize", "hiddenSize", "numLayers", "bias", "batchFirst", "dropout", "bidirectional", "impl"] as const;

/** One step of a readable cell, used by the reference implementation. */
export type ReferenceStep = (x: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D | undefined, w: CellWeights) => { h: tf.Tensor2D; c?: tf.Tensor2D };

/** tf.unstack along axis 0, also for length 1 (tfjs's unstack gradient fails on a single slice). */
function unstack0<T extends tf.Tensor>(t: tf.Tensor): T[] {
  if (t.shape[0] === 1) return [tf.squeeze(t, [0]) as T];
  return tf.unstack(t) as T[];
}

/**
 * `StateInput` is the initial state a layer accepts and `Output` what it returns: LSTM's carry
 * the cell state c, so TypeScript knows `c` is there without a `!`.
 */
export abstract class RecurrentBase<StateInput = unknown, Output extends HiddenOutput = RecurrentOutput> extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  impl: "fused" | "reference";
  private readonly storage: FlatParameters;
  /** Each layer-direction's parameter names and their offsets in the flat variable. */
  private readonly slots: { names: string[]; weightIh: number; weightHh: number; biasIh: number; biasHh: number; inputSize: number }[] = [];

  protected abstract readonly hasCellState: boolean;
  /** The fused kernel, or null when only the reference implementation exists for this variant. */
  protected abstract fusedKernel(): CellKernel | null;
  protected abstract referenceStep(): ReferenceStep;

  /** `extraOptions`: the keys a subclass reads besides RECURRENT_OPTION_KEYS. */
  constructor(where: string, options: RecurrentOptions, gateCount: number, extraOptions: readonly string[] = []) {
    super(where);
    if (options === null || typeof options !== "object") {
      throw new TypeError(`${where}: options: expected {inputSize, hiddenSize, …}, got ${options}.`);
    }
    expectKnownOptions(where, options, [...RECURRENT_OPTION_KEYS, ...extraOptions]);
    this.inputSize = expectPositiveInt(where, "inputSize", options.inputSize);
    this.hiddenSize = expectPositiveInt(where, "hiddenSize", options.hiddenSize);
    this.numLayers = expectPositiveInt(where, "numLayers", options.numLayers ?? 1);
    this.bias = expectBoolean(where, "bias", options.bias, true);
    this.batchFirst = expectBoolean(where, "batchFirst", options.batchFirst, false);
    this.dropout = expectRange(where, "dropout", options.dropout ?? 0, 0, 1, false);
    this.bidirectional = expectBoolean(where, "bidirectional", options.bidirectional, false);
    this.impl = expectOneOf(where, "impl", options.impl ?? "fused", ["fused", "reference"]);
    if (this.dropout > 0 && this.numLayers === 1) {
      // PyTorch's UserWarning, in one line: the dropout would never be applied.
      console.warn(
        `${where}: dropout: dropout acts after every recurrent layer but the last, so a non-zero dropout expects numLayers > 1; ` +
          `got dropout=${this.dropout} and numLayers=1.`,
      );
    }

    const H = this.hiddenSize;
    const k = 1 / Math.sqrt(H); // PyTorch's U(−1/√H, 1/√H) for every weight and bias
    const gen = defaultGenerator();
    const entries: { name: string; shape: number[]; values: Float32Array }[] = [];
    const add = (name: string, shape: number[]) => {
      entries.push({ name, shape, values: gen.uniform(shape.reduce((a, b) => a * b, 1), -k, k) });
      return name;
    };
    for (let l = 0; l < this.numLayers; l++) {
      const layerInput = l === 0 ? this.inputSize : this.directions * H;
      for (let d = 0; d < this.directions; d++) {
        const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
        const names = [add(`weight_ih${sfx}`, [gateCount * H, layerInput]), add(`weight_hh${sfx}`, [gateCount * H, H])];
        if (this.bias) names.push(add(`bias_ih${sfx}`, [gateCount * H]), add(`bias_hh${sfx}`, [gateCount * H]));
        this.slots.push({ names, weightIh: -1, weightHh: -1, biasIh: -1, biasHh: -1, inputSize: layerInput });
      }
    }
    this.storage = this.registerFlatParameters(new FlatParameters(entries));
    for (const slot of this.slots) {
      const at = slot.names.map((n) => this.storage.slices.get(n)!.offset);
      [slot.weightIh, slot.weightHh] = at;
      if (this.bias) [slot.biasIh, slot.biasHh] = at.slice(2);
    }
  }

  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /**
   * Runs the whole sequence. `state` holds the initial h (and c for LSTM), each
   * (numLayers·D, B, H), in PyTorch's form (`h0`, `[h0, c0]`) or as `{h, c}`; zeros when omitted.
   */
  forward(input: tf.Tensor, state?: StateInput): Output {
    const where = `${this.constructor.name}.forward`;
    // Typed per layer (LSTM's result has c), built here for all three.
    return tf.tidy((): RecurrentOutput => {
      const unbatched = input?.shape?.length === 2;
      const batchDim = this.batchFirst ? "B" : "T";
      const timeDim = this.batchFirst ? "T" : "B";
      if (!unbatched) {
        expectShape(where, "input", input, [batchDim, timeDim, this.inputSize], `${this.batchFirst ? "batchFirst: (B, T, I)" : "(T, B, I)"}, inputSize ${this.inputSize}`);
      } else {
        expectShape(where, "input", input, ["T", this.inputSize], `unbatched (T, I), inputSize ${this.inputSize}`);
      }
      const x = (unbatched ? tf.expandDims(input, 1) : input) as tf.Tensor3D;
      const batchFirst = this.batchFirst && !unbatched;
      const B = batchFirst ? x.shape[0] : x.shape[1];
      const { h: h0, c: c0 } = this.initialState(where, state, B, unbatched);
      const kernel = this.impl === "fused" ? this.fusedKernel() : null;
      const r = kernel ? this.forwardFused(kernel, x, batchFirst, h0, c0) : this.forwardReference(x, batchFirst, h0, c0);
      if (!unbatched) return r;
      const squeeze = (t: tf.Tensor3D) => tf.squeeze(t, [1]) as unknown as tf.Tensor3D;
      return r.c ? { output: squeeze(r.output), h: squeeze(r.h), c: squeeze(r.c) } : { output: squeeze(r.output), h: squeeze(r.h) };
    }) as Output;
  }

  /** The initial states as given, (numLayers·D, B, H), or undefined for zeros; checked. */
  private initialState(where: string, state: unknown, B: number, unbatched: boolean): { h?: tf.Tensor3D; c?: tf.Tensor3D } {
    const L = this.numLayers * this.directions;
    const H = this.hiddenSize;
    const s = readState(where, state, this.hasCellState, { h: "h0", c: "c0" });
    if (!s.given) return {}; // zeros
    const read = (t: tf.Tensor | undefined, name: string): tf.Tensor3D => {
      const expected = unbatched ? [L, H] : [L, B, H];
      const hint = `numLayers·D = ${L}, ${unbatched ? "" : `batch ${B}, `}hiddenSize ${H}`;
      expectShape(where, name, t as tf.Tensor, expected, hint);
      return (unbatched ? tf.expandDims(t!, 1) : t) as tf.Tensor3D;
    };
    return { h: read(s.h, s.hName), c: this.hasCellState ? read(s.c, s.cName) : undefined };
  }

  /**
   * Layer by layer, direction by direction: layer l > 0 reads both directions of layer l − 1
   * concatenated, after dropout while training. `run` does one layer-direction and returns its
   * output and final states, each (1, B, H).
   */
  private stackLayers(
    x: tf.Tensor3D,
    run: (input: tf.Tensor3D, idx: number, reverse: boolean, lastLayer: boolean) => { output: tf.Tensor3D; h: tf.Tensor3D; c?: tf.Tensor3D },
  ): RecurrentOutput {
    const hs: tf.Tensor3D[] = [];
    const cs: tf.Tensor3D[] = [];
    let layerInput = x;
    for (let l = 0; l < this.numLayers; l++) {
      const outs: tf.Tensor3D[] = [];
      for (let d = 0; d < this.directions; d++) {
        const r = run(layerInput, l * this.directions + d, d === 1, l === this.numLayers - 1);
        outs.push(r.output);
        hs.push(r.h);
        if (r.c) cs.push(r.c);
      }
      layerInput = outs.length === 1 ? outs[0] : tf.concat(outs, 2);
      if (l < this.numLayers - 1) layerInput = dropout(layerInput, this.dropout, this.training);
    }
    const stack = (ts: tf.Tensor3D[]) => (ts.length === 1 ? ts[0] : tf.concat(ts, 0));
    return cs.length ? { output: layerInput, h: stack(hs), c: stack(cs) } : { output: layerInput, h: stack(hs) };
  }

  /** Every layer-direction as one fused kernel, reading its weights from the flat variable. */
  private forwardFused(kernel: CellKernel, x: tf.Tensor3D, batchFirst: boolean, h0?: tf.Tensor3D, c0?: tf.Tensor3D): RecurrentOutput {
    // Between layers everything is time-major; only the first reads and the last writes the caller's layout.
    return this.stackLayers(x, (input, idx, reverse, lastLayer) => {
      const slot = this.slots[idx];
      return recurrence(
        {
          kernel, reverse, inputSize: slot.inputSize, hiddenSize: this.hiddenSize,
          weightIh: slot.weightIh, weightHh: slot.weightHh, biasIh: slot.biasIh, biasHh: slot.biasHh,
          inputBatchFirst: batchFirst && idx < this.directions, outputBatchFirst: batchFirst && lastLayer, stateIndex: idx,
        },
        input, this.storage.variable as tf.Tensor1D, h0, c0,
      );
    });
  }

  /** The readable path: the cells of ../cells, one step per timestep, exactly the notebook's loop. */
  private forwardReference(x: tf.Tensor3D, batchFirst: boolean, h0?: tf.Tensor3D, c0?: tf.Tensor3D): RecurrentOutput {
    const step = this.referenceStep();
    const B = batchFirst ? x.shape[0] : x.shape[1];
    const L = this.numLayers * this.directions;
    const states = (t: tf.Tensor3D | undefined) => (t ? unstack0<tf.Tensor2D>(t) : Array.from({ length: L }, () => tf.zeros([B, this.hiddenSize]) as tf.Tensor2D));
    const hStart = states(h0);
    const cStart = this.hasCellState ? states(c0) : [];
    const timeMajor = batchFirst ? (tf.transpose(x, [1, 0, 2]) as tf.Tensor3D) : x;
    const r = this.stackLayers(timeMajor, (input, idx, reverse) => {
      const [wIh, wHh, bIh, bHh] = this.slots[idx].names.map((n) => this.storage.slice(n));
      const w: CellWeights = { weightIh: wIh as tf.Tensor2D, weightHh: wHh as tf.Tensor2D, biasIh: bIh as tf.Tensor1D | undefined, biasHh: bHh as tf.Tensor1D | undefined };
      const T = input.shape[0];
      const one = (t: tf.Tensor2D) => tf.expandDims(t, 0) as tf.Tensor3D;
      // An empty sequence leaves the state as it came, as the fused kernel does (tf.stack of nothing fails).
      if (T === 0) {
        const c0 = cStart[idx] as tf.Tensor2D | undefined;
        return { output: tf.zeros([0, B, this.hiddenSize]) as tf.Tensor3D, h: one(hStart[idx]), c: c0 && one(c0) };
      }
      const xs = unstack0<tf.Tensor2D>(input);
      const ys: tf.Tensor2D[] = new Array(T);
      let h = hStart[idx];
      let c = cStart[idx] as tf.Tensor2D | undefined;
      for (let s = 0; s < T; s++) {
        const t = reverse ? T - 1 - s : s;
        const next = step(xs[t], h, c, w);
        h = next.h;
        c = next.c;
        ys[t] = h;
      }
      return { output: tf.stack(ys) as tf.Tensor3D, h: one(h), c: c && one(c) };
    });
    return batchFirst ? { ...r, output: tf.transpose(r.output, [1, 0, 2]) as tf.Tensor3D } : r;
  }

  describe(): string {
    const extra: string[] = [];
    if (this.numLayers !== 1) extra.push(`numLayers=${this.numLayers}`);
    if (!this.bias) extra.push("bias=false");
    if (this.batchFirst) extra.push("batchFirst=true");
    if (this.dropout) extra.push(`dropout=${this.dropout}`);
    if (this.bidirectional) extra.push("bidirectional=true");
    return `${this.constructor.name}(${[this.inputSize, this.hiddenSize, ...extra].join(", ")})`;
  }
}
