/**
 * Multi-layer, optionally bidirectional recurrent layers with PyTorch's API and shapes:
 *
 *   input   (T, B, I), or (B, T, I) with batchFirst, or unbatched (T, I)
 *   output  (T, B, D·H), or (B, T, D·H) with batchFirst          D = 2 if bidirectional
 *   h, c    (numLayers·D, B, H), ordered layer 0 forward, layer 0 reverse, layer 1 forward, …
 *
 * Layer l > 0 reads the concatenated outputs of both directions of layer l − 1, after dropout
 * (only while training). Parameters are named as in PyTorch: weight_ih_l{k}[_reverse], …
 *
 * Two implementations compute the same thing:
 *   "fused"      each layer-direction is one differentiable op with hand-derived BPTT (fast);
 *   "reference"  the readable cells from ../cells, unrolled one timestep at a time with tfjs ops.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { CellWeights } from "../cells/cell-base";
import type { CellKernel } from "../fused/cell-kernels";
import { recurrence } from "../fused/recurrence";
import { Module } from "../module";
import { expectOneOf, expectPositiveInt, expectRange, expectShape } from "../validate";
import { dropout } from "./dropout";

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

export type RecurrentState = { h: tf.Tensor3D; c?: tf.Tensor3D };
export type RecurrentOutput = { output: tf.Tensor3D; h: tf.Tensor3D; c?: tf.Tensor3D };

/** One step of a readable cell, used by the reference implementation. */
export type ReferenceStep = (x: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D | undefined, w: CellWeights) => { h: tf.Tensor2D; c?: tf.Tensor2D };

/** tf.unstack along axis 0, also for length 1 (tfjs's unstack gradient fails on a single slice). */
function unstack0<T extends tf.Tensor>(t: tf.Tensor): T[] {
  if (t.shape[0] === 1) return [tf.squeeze(t, [0]) as T];
  return tf.unstack(t) as T[];
}

export abstract class RecurrentBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  impl: "fused" | "reference";
  private readonly weightSets: CellWeights[] = [];

  protected abstract readonly hasCellState: boolean;
  /** The fused kernel, or null when only the reference implementation exists for this variant. */
  protected abstract fusedKernel(): CellKernel | null;
  protected abstract referenceStep(): ReferenceStep;

  constructor(where: string, options: RecurrentOptions, gateCount: number) {
    super(where);
    if (options === null || typeof options !== "object") {
      throw new TypeError(`${where}: options: expected {inputSize, hiddenSize, …}, got ${options}.`);
    }
    this.inputSize = expectPositiveInt(where, "inputSize", options.inputSize);
    this.hiddenSize = expectPositiveInt(where, "hiddenSize", options.hiddenSize);
    this.numLayers = expectPositiveInt(where, "numLayers", options.numLayers ?? 1);
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = expectRange(where, "dropout", options.dropout ?? 0, 0, 1, false);
    this.bidirectional = options.bidirectional ?? false;
    this.impl = expectOneOf(where, "impl", options.impl ?? "fused", ["fused", "reference"]);

    const H = this.hiddenSize;
    const k = 1 / Math.sqrt(H); // PyTorch's U(−1/√H, 1/√H) for every weight and bias
    for (let l = 0; l < this.numLayers; l++) {
      const layerInput = l === 0 ? this.inputSize : this.directions * H;
      for (let d = 0; d < this.directions; d++) {
        const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
        this.weightSets.push({
          weightIh: this.uniformParameter(`weight_ih${sfx}`, [gateCount * H, layerInput], k) as tf.Tensor2D,
          weightHh: this.uniformParameter(`weight_hh${sfx}`, [gateCount * H, H], k) as tf.Tensor2D,
          biasIh: this.bias ? (this.uniformParameter(`bias_ih${sfx}`, [gateCount * H], k) as tf.Tensor1D) : undefined,
          biasHh: this.bias ? (this.uniformParameter(`bias_hh${sfx}`, [gateCount * H], k) as tf.Tensor1D) : undefined,
        });
      }
    }
  }

  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /**
   * Runs the whole sequence. `state` holds the initial h (and c for LSTM), each
   * (numLayers·D, B, H); zeros when omitted.
   */
  forward(input: tf.Tensor, state?: Partial<RecurrentState> | tf.Tensor): RecurrentOutput {
    const where = `${this.constructor.name}.forward`;
    return tf.tidy(() => {
      const unbatched = input?.shape?.length === 2;
      const batchDim = this.batchFirst ? "B" : "T";
      const timeDim = this.batchFirst ? "T" : "B";
      if (!unbatched) {
        expectShape(where, "input", input, [batchDim, timeDim, this.inputSize], `${this.batchFirst ? "batchFirst: (B, T, I)" : "(T, B, I)"}, inputSize ${this.inputSize}`);
      } else {
        expectShape(where, "input", input, ["T", this.inputSize], `unbatched (T, I), inputSize ${this.inputSize}`);
      }
      let x = (unbatched ? tf.expandDims(input, 1) : this.batchFirst ? tf.transpose(input, [1, 0, 2]) : input) as tf.Tensor3D;
      const B = x.shape[1];
      const { h: h0, c: c0 } = this.initialState(where, state, B, unbatched);

      const hs: tf.Tensor2D[] = [];
      const cs: tf.Tensor2D[] = [];
      for (let l = 0; l < this.numLayers; l++) {
        const outs: tf.Tensor3D[] = [];
        for (let d = 0; d < this.directions; d++) {
          const idx = l * this.directions + d;
          const r = this.runDirection(x, this.weightSets[idx], d === 1, h0[idx], c0?.[idx]);
          outs.push(r.output);
          hs.push(r.h);
          if (r.c) cs.push(r.c);
        }
        x = outs.length === 1 ? outs[0] : tf.concat(outs, 2);
        if (l < this.numLayers - 1) x = dropout(x, this.dropout, this.training);
      }
      let output = x;
      const stack0 = (ts: tf.Tensor2D[]) => (ts.length === 1 ? tf.expandDims(ts[0], 0) : tf.stack(ts)) as tf.Tensor3D;
      let h = stack0(hs);
      let c = cs.length ? stack0(cs) : undefined;
      if (unbatched) {
        output = tf.squeeze(output, [1]) as unknown as tf.Tensor3D;
        h = tf.squeeze(h, [1]) as unknown as tf.Tensor3D;
        c = c && (tf.squeeze(c, [1]) as unknown as tf.Tensor3D);
      } else if (this.batchFirst) {
        output = tf.transpose(output, [1, 0, 2]);
      }
      return c ? { output, h, c } : { output, h };
    });
  }

  private initialState(where: string, state: Partial<RecurrentState> | tf.Tensor | undefined, B: number, unbatched: boolean) {
    const L = this.numLayers * this.directions;
    const H = this.hiddenSize;
    const s: Partial<RecurrentState> = state instanceof tf.Tensor ? { h: state as tf.Tensor3D } : state ?? {};
    if (this.hasCellState && state instanceof tf.Tensor) {
      throw new TypeError(`${where}: state: expected {h, c} for an LSTM, got a single tensor.`);
    }
    const read = (name: "h" | "c"): tf.Tensor2D[] => {
      let t = s[name];
      if (t === undefined) return Array.from({ length: L }, () => tf.zeros([B, H]) as tf.Tensor2D);
      const expected = unbatched ? [L, H] : [L, B, H];
      const hint = `numLayers·D = ${L}, ${unbatched ? "" : `batch ${B}, `}hiddenSize ${H}`;
      expectShape(where, `state.${name}`, t, expected, hint);
      if (unbatched) t = tf.expandDims(t, 1) as tf.Tensor3D;
      return unstack0<tf.Tensor2D>(t);
    };
    return { h: read("h"), c: this.hasCellState ? read("c") : undefined };
  }

  private runDirection(x: tf.Tensor3D, w: CellWeights, reverse: boolean, h0: tf.Tensor2D, c0?: tf.Tensor2D) {
    const kernel = this.impl === "fused" ? this.fusedKernel() : null;
    if (kernel) {
      const G = w.weightHh.shape[0];
      const bIh = w.biasIh ?? tf.zeros([G]);
      const bHh = w.biasHh ?? tf.zeros([G]);
      return recurrence(kernel, reverse, x, w.weightIh, w.weightHh, bIh as tf.Tensor1D, bHh as tf.Tensor1D, h0, c0);
    }
    // The readable path: one cell step per timestep, exactly the notebook's loop.
    const step = this.referenceStep();
    const T = x.shape[0];
    const xs = unstack0<tf.Tensor2D>(x);
    const ys: tf.Tensor2D[] = new Array(T);
    let h = h0;
    let c = c0;
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      const next = step(xs[t], h, c, w);
      h = next.h;
      c = next.c;
      ys[t] = h;
    }
    return { output: tf.stack(ys) as tf.Tensor3D, h, c };
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
