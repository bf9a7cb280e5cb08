/**
 * The vanilla RNN cell: the same little network applied at every step, carrying a memory.
 *
 *   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)        (or relu instead of tanh)
 *
 * PyTorch writes W_xh as `weight_ih` [H, I] and W_hh as `weight_hh` [H, H], with two biases
 * whose sum plays the role of the single b in h_t = tanh(W_xh x_t + W_hh h_{t−1} + b).
 */
import * as tf from "@tensorflow/tfjs-core";
import { expectOneOf } from "../validate";
import { CellBase, affine, type CellOptions, type CellWeights } from "./cell-base";

export type Nonlinearity = "tanh" | "relu";

export function rnnCellForward(
  x: tf.Tensor2D,
  hPrev: tf.Tensor2D,
  w: CellWeights,
  nonlinearity: Nonlinearity = "tanh",
): tf.Tensor2D {
  return tf.tidy(() => {
    const a = tf.add(affine(x, w.weightIh, w.biasIh), affine(hPrev, w.weightHh, w.biasHh));
    return (nonlinearity === "tanh" ? tf.tanh(a) : tf.relu(a)) as tf.Tensor2D;
  });
}

export interface RNNCellOptions extends CellOptions {
  nonlinearity?: Nonlinearity;
}

export class RNNCell extends CellBase {
  readonly nonlinearity: Nonlinearity;

  constructor(options: RNNCellOptions) {
    super("RNNCell", options, 1, ["nonlinearity"]);
    this.nonlinearity = expectOneOf("RNNCell", "nonlinearity", options.nonlinearity ?? "tanh", ["tanh", "relu"]);
  }

  /** One timestep: x [B, I], h [B, H] (zeros when omitted) → h' [B, H]. */
  step(x: tf.Tensor, h?: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const x2 = this.checkInput(x);
      return rnnCellForward(x2, this.checkState("h", h, x2.shape[0]), this.weights(), this.nonlinearity);
    });
  }

  forward(x: tf.Tensor, h?: tf.Tensor): tf.Tensor2D {
    return this.step(x, h);
  }
}
