/**
 * What the three readable cells share: PyTorch's parameter names and init, input checks,
 * and `step(x, state)` for streaming one timestep at a time.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Module } from "../module";
import { expectBoolean, expectKnownOptions, expectPositiveInt, expectShape } from "../validate";

export interface CellOptions {
  inputSize: number;
  hiddenSize: number;
  bias?: boolean;
}

/** The weights of one cell in PyTorch layout: W_ih [G·H, I], W_hh [G·H, H], biases [G·H]. */
export interface CellWeights {
  weightIh: tf.Tensor2D;
  weightHh: tf.Tensor2D;
  biasIh?: tf.Tensor1D;
  biasHh?: tf.Tensor1D;
}

/** x·Wᵀ + b, the affine map every gate is built from. */
export function affine(x: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  const y = tf.matMul(x, weight, false, true) as tf.Tensor2D;
  return bias ? (tf.add(y, bias) as tf.Tensor2D) : y;
}

export abstract class CellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  readonly weightIh: tf.Variable;
  readonly weightHh: tf.Variable;
  readonly biasIh?: tf.Variable;
  readonly biasHh?: tf.Variable;

  /** `extraOptions`: the keys a subclass reads besides inputSize, hiddenSize and bias. */
  constructor(where: string, options: CellOptions, gateCount: number, extraOptions: readonly string[] = []) {
    super(where);
    if (options === null || typeof options !== "object") {
      throw new TypeError(`${where}: options: expected {inputSize, hiddenSize}, got ${options}.`);
    }
    expectKnownOptions(where, options, ["inputSize", "hiddenSize", "bias", ...extraOptions]);
    this.inputSize = expectPositiveInt(where, "inputSize", options.inputSize);
    this.hiddenSize = expectPositiveInt(where, "hiddenSize", options.hiddenSize);
    this.bias = expectBoolean(where, "bias", options.bias, true);
    const H = this.hiddenSize;
    // PyTorch's init: every weight and bias from U(−1/√H, 1/√H).
    const k = 1 / Math.sqrt(H);
    this.weightIh = this.uniformParameter("weight_ih", [gateCount * H, this.inputSize], k);
    this.weightHh = this.uniformParameter("weight_hh", [gateCount * H, H], k);
    if (this.bias) {
      this.biasIh = this.uniformParameter("bias_ih", [gateCount * H], k);
      this.biasHh = this.uniformParameter("bias_hh", [gateCount * H], k);
    }
  }

  protected weights(): CellWeights {
    return {
      weightIh: this.weightIh as tf.Tensor2D,
      weightHh: this.weightHh as tf.Tensor2D,
      biasIh: this.biasIh as tf.Tensor1D | undefined,
      biasHh: this.biasHh as tf.Tensor1D | undefined,
    };
  }

  /** Accepts x as [B, I] (or unbatched [I]); returns it as [B, I]. */
  protected checkInput(x: tf.Tensor): tf.Tensor2D {
    const where = `${this.constructor.name}.step`;
    if (x?.shape?.length === 1 && !x.isDisposed) x = tf.expandDims(x, 0);
    expectShape(where, "x", x, ["B", this.inputSize], `inputSize ${this.inputSize}`);
    return x as tf.Tensor2D;
  }

  /** A state part as [B, H] (unbatched [H] too); zeros when omitted, unless it was `required` (part of a tuple). */
  protected checkState(name: string, s: tf.Tensor | undefined, batch: number, required = false): tf.Tensor2D {
    if (s === undefined && !required) return tf.zeros([batch, this.hiddenSize]);
    if (s?.shape?.length === 1 && !s.isDisposed) s = tf.expandDims(s, 0);
    expectShape(`${this.constructor.name}.step`, name, s as tf.Tensor, [batch, this.hiddenSize], `batch ${batch}, hiddenSize ${this.hiddenSize}`);
    return s as tf.Tensor2D;
  }

  describe(): string {
    return `${this.constructor.name}(${this.inputSize}, ${this.hiddenSize}${this.bias ? "" : ", bias=false"})`;
  }
}
