/**
 * One layer-direction of a recurrent network over a whole sequence, as a single
 * differentiable tfjs op: a forward pass and a hand-derived backpropagation through time.
 *
 * Unrolled op by op, an LSTM launches thousands of small tfjs kernels per training step and
 * spends its time on per-op overhead. Here the sequence is one op:
 *   forward   XP = X·W_ihᵀ                 one product for all T·B rows
 *             for each t:  hp = h_{t−1}·W_hhᵀ;  biases and gates (cell-kernels.ts)
 *   backward  for each t, newest first:  ∂xp_t, ∂hp_t from the gates;
 *                                        ∂h_{t−1} = direct + ∂hp_t·W_hh
 *             ∂W_ih = ∂XPᵀ·X   ∂W_hh = ∂HPᵀ·H_prev   ∂X = ∂XP·W_ih   (one product each)
 * The arrays kept between the two passes (the tape) grow linearly in T: that is the memory
 * of a BPTT window, and why truncated BPTT keeps it flat.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { CellKernel } from "./cell-kernels";
import { RecurrentOperand, matmul, matmulTransposeA, transpose } from "./matmul";

export interface RecurrenceResult {
  output: tf.Tensor3D; // [T, B, H]
  h: tf.Tensor2D; // [B, H]
  c?: tf.Tensor2D; // [B, H], LSTM only
}

/** Bytes held for the backward pass by the most recent forward call (for memory measurements). */
export let lastTapeBytes = 0;

interface EngineState {
  gradientDepth: number;
}
const engineState = (): EngineState => (tf.engine() as unknown as { state: EngineState }).state;

/** Whether tfjs is recording for a gradient; when it is not, nothing is kept for backward. */
function recordingGradients(): boolean {
  return (engineState().gradientDepth ?? 1) > 0;
}

function columnSums(rows: Float32Array, nRows: number, G: number): Float32Array {
  const out = new Float32Array(G);
  for (let r = 0; r < nRows; r++) {
    const o = r * G;
    for (let j = 0; j < G; j++) out[j] += rows[o + j];
  }
  return out;
}

const data = (t: tf.Tensor): Float32Array => t.dataSync() as Float32Array;

/**
 * Runs `kernel` over x [T, B, I] with weights in PyTorch layout (W_ih [G, I], W_hh [G, H]).
 * `reverse` walks t = T−1 … 0 (the backward direction of a bidirectional layer); outputs
 * stay in time order either way.
 */
export function recurrence(
  kernel: CellKernel,
  reverse: boolean,
  x: tf.Tensor3D,
  wIh: tf.Tensor2D,
  wHh: tf.Tensor2D,
  bIh: tf.Tensor1D,
  bHh: tf.Tensor1D,
  h0: tf.Tensor2D,
  c0?: tf.Tensor2D,
): RecurrenceResult {
  const withCell = kernel.hasCellState;
  const slots = withCell ? 2 : 1;
  const op = tf.customGrad((...args: unknown[]) => {
    const [xT, wIhT, wHhT, bIhT, bHhT, h0T, c0T] = args as tf.Tensor[];
    const [T, B, I] = xT.shape;
    const G = wHhT.shape[0];
    const H = wHhT.shape[1]!;
    const rows = T * B;

    const X = data(xT);
    const Wih = data(wIhT);
    const Whh = data(wHhT);
    const bIh = data(bIhT);
    const bHh = data(bHhT);
    const bSum = bIh.map((v, j) => v + bHh[j]);

    const XP = matmul(X, transpose(Wih, G, I), rows, I, G);

    // Inference keeps a one-step scratch tape; training keeps every step for backward.
    const record = recordingGradients();
    const tape = kernel.createTape(record ? rows : B, H);
    const Hprev = new Float32Array(record ? rows * H : 0);
    const Y = new Float32Array(rows * H);
    const C = withCell ? new Float32Array(rows * H) : null;
    const hp = new Float32Array(B * G);
    const WhhT = new RecurrentOperand(transpose(Whh, G, H), H, G, B);
    let hPrev = data(h0T);
    let cPrev = withCell ? data(c0T) : null;
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      const row0 = t * B;
      if (record) Hprev.set(hPrev, row0 * H);
      WhhT.mulInto(hp, hPrev, B, false);
      const h = Y.subarray(row0 * H, (row0 + B) * H);
      const c = C ? C.subarray(row0 * H, (row0 + B) * H) : null;
      const tapeRow0 = record ? row0 : 0;
      kernel.forward({ row0, tapeRow0, B, H, xp: XP, hp, bIh, bHh, bSum, hPrev, cPrev, h, c }, tape);
      hPrev = h;
      cPrev = c;
    }
    WhhT.dispose();
    if (record) lastTapeBytes = [...tape, Hprev, X].reduce((n, a) => n + a.byteLength, 0);

    // customGrad returns one tensor, so the outputs travel packed along time: [Y; h_T; c_T].
    const packed = new Float32Array((T + slots) * B * H);
    packed.set(Y);
    packed.set(hPrev, rows * H);
    if (withCell) packed.set(cPrev!, (rows + B) * H);
    const value = tf.tensor3d(packed, [T + slots, B, H]);

    const gradFunc = (dy: tf.Tensor) => {
      const dPacked = data(dy);
      const dY = dPacked.subarray(0, rows * H);
      const dxp = new Float32Array(rows * G);
      const dhp = kernel.sharedPreactivationGrad ? dxp : new Float32Array(rows * G);
      const dh = new Float32Array(B * H);
      const dhCarry = dPacked.slice(rows * H, (rows + B) * H);
      const dc = withCell ? dPacked.slice((rows + B) * H, (rows + 2 * B) * H) : null;
      const dhPrevDirect = new Float32Array(B * H);
      const WhhOp = new RecurrentOperand(Whh, G, H, B);
      for (let s = 0; s < T; s++) {
        const t = reverse ? s : T - 1 - s;
        const row0 = t * B;
        for (let i = 0; i < B * H; i++) dh[i] = dY[row0 * H + i] + dhCarry[i];
        const hPrevT = Hprev.subarray(row0 * H, (row0 + B) * H);
        kernel.backward({ row0, B, H, hPrev: hPrevT, dh, dc, dxp, dhp, dhPrevDirect }, tape);
        dhCarry.set(dhPrevDirect);
        WhhOp.mulInto(dhCarry, dhp, B, true, row0 * G, 0);
      }
      WhhOp.dispose();
      const dbIh = columnSums(dxp, rows, G);
      const grads = [
        tf.tensor3d(matmul(dxp, Wih, rows, G, I), [T, B, I]),
        tf.tensor2d(matmulTransposeA(dxp, X, rows, G, I), [G, I]),
        tf.tensor2d(matmulTransposeA(dhp, Hprev, rows, G, H), [G, H]),
        tf.tensor1d(dbIh),
        tf.tensor1d(dhp === dxp ? dbIh.slice() : columnSums(dhp, rows, G)),
        tf.tensor2d(dhCarry, [B, H]),
      ];
      if (withCell) grads.push(tf.tensor2d(dc!, [B, H]));
      return grads;
    };
    return { value, gradFunc };
  });

  const inputs: tf.Tensor[] = [x, wIh, wHh, bIh, bHh, h0];
  if (withCell) inputs.push(c0!);
  const packed = op(...inputs) as tf.Tensor3D;
  const [T, B, H] = [x.shape[0], x.shape[1], wHh.shape[1]];
  const parts = tf.split(packed, withCell ? [T, 1, 1] : [T, 1], 0);
  packed.dispose();
  return {
    output: parts[0] as tf.Tensor3D,
    h: tf.reshape(parts[1], [B, H]),
    c: withCell ? tf.reshape(parts[2], [B, H]) : undefined,
  };
}
