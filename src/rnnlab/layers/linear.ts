/**
 * Linear: y = x Wᵀ + b, with PyTorch's `weight` [out, in] and init U(−1/√in, 1/√in).
 * Works on any leading shape (…, in) → (…, out), like nn.Linear.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Module } from "../module";
import { expectKnownOptions, expectPositiveInt, expectShape } from "../validate";

export interface LinearOptions {
  bias?: boolean;
}

export class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;
  /** Wᵀ is kept up to date lazily: the backend's matMul is fastest without transpose flags. */
  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super("Linear");
    expectPositiveInt("Linear", "inFeatures", inFeatures);
    expectPositiveInt("Linear", "outFeatures", outFeatures);
    expectKnownOptions("Linear", options ?? {}, ["bias"]);
    const k = 1 / Math.sqrt(inFeatures);
    this.weight = this.uniformParameter("weight", [outFeatures, inFeatures], k);
    if (options.bias ?? true) this.bias = this.uniformParameter("bias", [outFeatures], k);
  }

  forward(x: tf.Tensor): tf.Tensor {
    const where = "Linear.forward";
    if (!x?.shape?.length) expectShape(where, "x", x, ["…", this.inFeatures]);
    const lead = x.shape.slice(0, -1);
    expectShape(where, "x", x, [...lead.map(() => null), this.inFeatures], `inFeatures ${this.inFeatures}`);
    return tf.tidy(() => {
      const x2 = tf.reshape(x, [-1, this.inFeatures]) as tf.Tensor2D;
      let y = tf.matMul(x2, tf.transpose(this.weight));
      if (this.bias) y = tf.add(y, this.bias);
      return tf.reshape(y, [...lead, this.outFeatures]);
    });
  }

  describe(): string {
    return `Linear(inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}${this.bias ? "" : ", bias=false"})`;
  }
}
