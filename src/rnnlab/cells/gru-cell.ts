/**
 * The GRU cell: two gates and one state. PyTorch's form (reset-after), gate order r, z, n:
 *
 *   r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)            reset gate
 *   z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)            update gate
 *   n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))   candidate
 *   h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}
 *
 * With `resetAfter: false` the reset gate acts before the product, as in Cho et al., d2l and
 * Keras with reset_after=False (TF2 Keras defaults to reset_after=True, the form above):
 *   n_t = tanh(W_in x_t + b_in + W_hn (r_t ⊙ h_{t−1}) + b_hn)
 * `weight_ih` stacks [W_ir; W_iz; W_in] as [3H, I]; `weight_hh` likewise as [3H, H].
 */
import * as tf from "@tensorflow/tfjs-core";
import { expectBoolean } from "../validate";
import { CellBase, affine, type CellOptions, type CellWeights } from "./cell-base";

export function gruCellForward(x: tf.Tensor2D, hPrev: tf.Tensor2D, w: CellWeights, resetAfter = true): tf.Tensor2D {
  return tf.tidy(() => {
    const [xr, xz, xn] = tf.split(affine(x, w.weightIh, w.biasIh), 3, 1);
    const [Wr, Wz, Wn] = tf.split(w.weightHh, 3, 0) as tf.Tensor2D[];
    const [br, bz, bn] = w.biasHh ? (tf.split(w.biasHh, 3, 0) as tf.Tensor1D[]) : [undefined, undefined, undefined];
    const r = tf.sigmoid(tf.add(xr, affine(hPrev, Wr, br)));
    const z = tf.sigmoid(tf.add(xz, affine(hPrev, Wz, bz)));
    const recurrentN = resetAfter
      ? tf.mul(r, affine(hPrev, Wn, bn))
      : affine(tf.mul(r, hPrev) as tf.Tensor2D, Wn, bn);
    const n = tf.tanh(tf.add(xn, recurrentN));
    return tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, hPrev)) as tf.Tensor2D;
  });
}

export interface GRUCellOptions extends CellOptions {
  /** PyTorch's form (true, the default) or the reset-before form of d2l and Keras's reset_after=False (false). */
  resetAfter?: boolean;
}

export class GRUCell extends CellBase {
  readonly resetAfter: boolean;

  constructor(options: GRUCellOptions) {
    super("GRUCell", options, 3, ["resetAfter"]);
    this.resetAfter = expectBoolean("GRUCell", "resetAfter", options.resetAfter, true);
  }

  /** One timestep: x [B, I], h [B, H] (zeros when omitted) → h' [B, H]. */
  step(x: tf.Tensor, h?: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const x2 = this.checkInput(x);
      return gruCellForward(x2, this.checkState("h", h, x2.shape[0]), this.weights(), this.resetAfter);
    });
  }

  forward(x: tf.Tensor, h?: tf.Tensor): tf.Tensor2D {
    return this.step(x, h);
  }
}
