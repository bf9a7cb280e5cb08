/**
 * The LSTM cell, with PyTorch's equations and gate order i, f, g, o:
 *
 *   i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi)      input gate: how much to write
 *   f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf)      forget gate: how much to keep
 *   g_t = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)   candidate values
 *   o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho)      output gate: how much to show
 *   c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t                     the cell state's additive path
 *   h_t = o_t ⊙ tanh(c_t)
 *
 * `weight_ih` stacks [W_ii; W_if; W_ig; W_io] as [4H, I]; `weight_hh` likewise as [4H, H].
 * Because c_t is f_t ⊙ c_{t−1} plus something, ∂c_t/∂c_{t−1} = f_t: with f near 1 the
 * gradient travels back through time without being squashed, unlike the vanilla RNN's.
 */
import * as tf from "@tensorflow/tfjs-core";
import { readState } from "../layers/recurrent-state";
import { CellBase, affine, type CellOptions, type CellWeights } from "./cell-base";

export type LSTMState = {
  h: tf.Tensor2D;
  c: tf.Tensor2D;
};

/** A cell's state as given: PyTorch's tuple `[h, c]`, or `{h, c}` (what step returns). */
export type LSTMCellStateInput = readonly [tf.Tensor, tf.Tensor] | { readonly h: tf.Tensor; readonly c: tf.Tensor };

/** The four gates after their activations, each [B, H]; also what the gate-strip plots show. */
export type LSTMGates = {
  i: tf.Tensor2D;
  f: tf.Tensor2D;
  g: tf.Tensor2D;
  o: tf.Tensor2D;
};

export function lstmGates(x: tf.Tensor2D, hPrev: tf.Tensor2D, w: CellWeights): LSTMGates {
  return tf.tidy(() => {
    const a = tf.add(affine(x, w.weightIh, w.biasIh), affine(hPrev, w.weightHh, w.biasHh));
    const [ai, af, ag, ao] = tf.split(a, 4, 1) as tf.Tensor2D[];
    return { i: tf.sigmoid(ai), f: tf.sigmoid(af), g: tf.tanh(ag), o: tf.sigmoid(ao) };
  });
}

export function lstmCellForward(x: tf.Tensor2D, state: LSTMState, w: CellWeights): LSTMState {
  return tf.tidy(() => {
    const { i, f, g, o } = lstmGates(x, state.h, w);
    const c = tf.add(tf.mul(f, state.c), tf.mul(i, g)) as tf.Tensor2D;
    const h = tf.mul(o, tf.tanh(c)) as tf.Tensor2D;
    return { h, c };
  });
}

export class LSTMCell extends CellBase {
  constructor(options: CellOptions) {
    super("LSTMCell", options, 4);
  }

  /** One timestep: x [B, I], state [h, c] or {h, c} ([B, H] each, zeros when omitted) → {h, c}. */
  step(x: tf.Tensor, state?: LSTMCellStateInput): LSTMState {
    return tf.tidy(() => {
      const x2 = this.checkInput(x);
      const B = x2.shape[0];
      const s = readState("LSTMCell.step", state, true, { h: "h", c: "c" });
      if (!s.given) return lstmCellForward(x2, { h: this.checkState("h", undefined, B), c: this.checkState("c", undefined, B) }, this.weights());
      return lstmCellForward(x2, { h: this.checkState(s.hName, s.h, B, true), c: this.checkState(s.cName, s.c, B, true) }, this.weights());
    });
  }

  forward(x: tf.Tensor, state?: LSTMCellStateInput): LSTMState {
    return this.step(x, state);
  }

  /** The gate activations for one step, for plotting. */
  gates(x: tf.Tensor, h?: tf.Tensor): LSTMGates {
    return tf.tidy(() => {
      const x2 = this.checkInput(x);
      return lstmGates(x2, this.checkState("h", h, x2.shape[0]), this.weights());
    });
  }
}
