/**
 * One layer-direction of a recurrent network over a whole sequence, as a single
 * differentiable tfjs kernel: a forward pass and a hand-derived backpropagation through time.
 *
 * Unrolled op by op, an LSTM launches thousands of small tfjs kernels per training step and
 * spends its time on per-op overhead. Here the sequence is one kernel:
 *   forward   XP = X·W_ihᵀ                 one product for all T·B rows
 *             for each t:  hp = h_{t−1}·W_hhᵀ;  biases and gates (cell-kernels.ts)
 *   backward  for each t, newest first:  ∂xp_t, ∂hp_t from the gates;
 *                                        ∂h_{t−1} = direct + ∂hp_t·W_hh
 *             ∂W_ih = ∂XPᵀ·X   ∂W_hh = ∂HPᵀ·H_prev   ∂X = ∂XP·W_ih   (one product each)
 * The arrays kept between the two passes (the tape) grow linearly in T: that is the memory
 * of a BPTT window, and why truncated BPTT keeps it flat.
 *
 * It is a registered kernel rather than a tf.customGrad so that it can return the output and
 * the final states as separate tensors in the caller's layout (no split, reshape or transpose
 * ops around it), read its weights straight from the layer's flat parameters, and compute
 * only the gradients the backward pass asks for.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { CellKernel } from "./cell-kernels";
import { recordingGradients, registerFusedKernel } from "./register-kernel";
import { BACKEND_MATMUL_MIN_MACS, RecurrentOperand, matmul, matmulTransposeA, matmulTransposeAPair, smallMatmul, swapLeadingAxes, transpose } from "./matmul";

const KERNEL_NAME = "RnnlabRecurrence";

/** What one layer-direction reads: its cell, direction, layouts and where its weights sit. */
export interface RecurrenceSpec {
  kernel: CellKernel;
  /** Walk t = T−1 … 0 (the backward direction of a bidirectional layer); outputs stay in time order. */
  reverse: boolean;
  /** Offsets of W_ih [G, I], W_hh [G, H], b_ih [G], b_hh [G] in the flat parameters; −1: no biases. */
  weightIh: number;
  weightHh: number;
  biasIh: number;
  biasHh: number;
  inputSize: number;
  hiddenSize: number;
  /** x is (B, T, I) instead of (T, B, I); the output likewise (B, T, H). */
  inputBatchFirst: boolean;
  outputBatchFirst: boolean;
  /** Which slice of the initial states h0, c0 (numLayers·D, B, H) this layer-direction starts from. */
  stateIndex: number;
}

/** Bytes held for the backward pass by the most recent forward call (for memory measurements). */
export let lastTapeBytes = 0;

/** What the forward pass leaves for backward, on the kernel's attrs (which tfjs keeps on its tape). */
interface Saved {
  T: number;
  B: number;
  X: Float32Array; // [T·B, I], time-major
  P: Float32Array; // the flat parameters
  Y: Float32Array; // [T·B, H]: h_t for every t
  Hprev: Float32Array; // [T·B, H]: h_{t−1} for every t
  tape: Float32Array[];
  /** Whether the forward pass ran the kernel's whole-sequence loop; backward does the same. */
  sequence: boolean;
  paramCount: number;
  stateShape: number[] | null; // h0's shape when it was given
}
type Attrs = RecurrenceSpec & { saved?: Saved };

/**
 * Σ over rows of a [nRows, G] array (the bias gradients), as the product 1ᵀ·rows: in the
 * WebAssembly SIMD product, four columns per f32x4 in the same order as a plain loop, which took
 * about 4% of an M-size LSTM training step in JavaScript.
 */
function columnSums(rows: Float32Array, nRows: number, G: number): Float32Array {
  const out = new Float32Array(G);
  smallMatmul(out, new Float32Array(nRows).fill(1), rows, 1, nRows, G);
  return out;
}

function weights(a: Attrs, P: Float32Array) {
  const { inputSize: I, hiddenSize: H } = a;
  const G = a.kernel.gateCount * H;
  const bias = (at: number) => (at >= 0 ? P.subarray(at, at + G) : new Float32Array(G));
  return { G, I, H, Wih: P.subarray(a.weightIh, a.weightIh + G * I), Whh: P.subarray(a.weightHh, a.weightHh + G * H), bIh: bias(a.biasIh), bHh: bias(a.biasHh) };
}

function forwardKernel({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const a = attrs as unknown as Attrs;
  const read = (t: tf.TensorInfo) => backend.readSync(t.dataId) as Float32Array;
  const { x, flat, h0, c0 } = inputs as { x: tf.TensorInfo; flat: tf.TensorInfo; h0?: tf.TensorInfo; c0?: tf.TensorInfo };
  const [d0, d1] = x.shape;
  const [T, B] = a.inputBatchFirst ? [d1, d0] : [d0, d1];
  const P = read(flat);
  const { G, I, H, Wih, Whh, bIh, bHh } = weights(a, P);
  const kernel = a.kernel;
  const withCell = kernel.hasCellState;
  const rows = T * B;
  const X = a.inputBatchFirst ? swapLeadingAxes(read(x), B, T, I) : read(x);
  const bSum = bIh.map((v, j) => v + bHh[j]);
  const XP = matmul(X, transpose(Wih, G, I), rows, I, G);

  // Inference keeps a one-step scratch tape; training keeps every step for backward.
  const record = recordingGradients();
  // A kernel's whole-sequence loop (WebAssembly) runs where the kernel says (the LSTM's: at
  // every size), else while each step's product is small (the RNN's, whose gates there are
  // scalar). It returns its own tape, or none when Y is all its backward needs.
  const sequence = kernel.forwardSequence !== undefined && (kernel.sequenceAt ? kernel.sequenceAt(B, H) : B * H * G < BACKEND_MATMUL_MIN_MACS);
  let tape = sequence ? [] : kernel.createTape(record ? rows : B, H);
  const Hprev = new Float32Array(record ? rows * H : 0);
  const Y = new Float32Array(rows * H);
  const C = withCell && !sequence ? new Float32Array(rows * H) : null;
  const state = (t: tf.TensorInfo | undefined) => (t ? read(t).slice(a.stateIndex * B * H, (a.stateIndex + 1) * B * H) : new Float32Array(B * H));
  let hPrev = state(h0);
  let cPrev = withCell ? state(c0) : null;
  if (sequence) {
    const cLast = withCell ? new Float32Array(B * H) : null;
    tape = kernel.forwardSequence!({ T, B, H, reverse: a.reverse, xp: XP, bSum, whhT: transpose(Whh, G, H), h0: hPrev, c0: cPrev, c: cLast, y: Y, record });
    cPrev = cLast;
    for (let s = 0; s < T; s++) {
      const row0 = (a.reverse ? T - 1 - s : s) * B;
      if (record) Hprev.set(hPrev, row0 * H);
      hPrev = Y.subarray(row0 * H, (row0 + B) * H);
    }
  } else {
    // Operands pinned in WebAssembly memory for the sequence: released even if a step throws.
    const WhhT = new RecurrentOperand(transpose(Whh, G, H), H, G, B);
    const context = kernel.prepare?.(Whh, B, H);
    try {
      const hp = new Float32Array(B * G);
      for (let s = 0; s < T; s++) {
        const t = a.reverse ? T - 1 - s : s;
        const row0 = t * B;
        if (record) Hprev.set(hPrev, row0 * H);
        WhhT.mulInto(hp, hPrev, B, false);
        const h = Y.subarray(row0 * H, (row0 + B) * H);
        const c = C ? C.subarray(row0 * H, (row0 + B) * H) : null;
        kernel.forward({ row0, tapeRow0: record ? row0 : 0, B, H, xp: XP, hp, bIh, bHh, bSum, hPrev, cPrev, h, c, context }, tape);
        hPrev = h;
        cPrev = c;
      }
    } finally {
      WhhT.dispose();
      context?.dispose();
    }
  }
  if (record) {
    a.saved = { T, B, X, P, Y, Hprev, tape, sequence, paramCount: flat.shape[0], stateShape: h0 ? h0.shape : null };
    // A sequence loop with no tape of its own (RNN) keeps Y as its tape.
    lastTapeBytes = [...(sequence && tape.length === 0 ? [Y] : tape), Hprev, X].reduce((n, arr) => n + arr.byteLength, 0);
  }

  const write = (values: Float32Array, shape: number[]): tf.TensorInfo => ({ dataId: backend.write(values, shape, "float32"), shape, dtype: "float32" });
  const outputs = [
    a.outputBatchFirst ? write(swapLeadingAxes(Y, T, B, H), [B, T, H]) : write(Y, [T, B, H]),
    write(hPrev.slice(), [1, B, H]),
  ];
  if (withCell) outputs.push(write(cPrev!.slice(), [1, B, H]));
  return outputs;
}

/** BPTT over the saved forward pass: gradients for x, the flat parameters and the initial states. */
function backward(a: Attrs, dys: tf.Tensor[]) {
  const { T, B, X, P, Y, Hprev, tape, sequence, paramCount, stateShape } = a.saved!;
  const { G, I, H, Wih, Whh } = weights(a, P);
  const kernel = a.kernel;
  const withCell = kernel.hasCellState;
  const rows = T * B;
  const dOut = dys[0].dataSync() as Float32Array;
  const dY = a.outputBatchFirst ? swapLeadingAxes(dOut, B, T, H) : dOut;
  const dxp = new Float32Array(rows * G);
  const dhp = kernel.sharedPreactivationGrad ? dxp : new Float32Array(rows * G);
  const dhCarry = (dys[1].dataSync() as Float32Array).slice();
  const dc = withCell ? (dys[2].dataSync() as Float32Array).slice() : null;
  if (sequence) {
    kernel.backwardSequence!({ T, B, H, reverse: a.reverse, dy: dY, y: Y, whh: Whh, dh: dhCarry, dxp, dc, tape });
  } else {
    const dh = new Float32Array(B * H);
    const dhPrevDirect = new Float32Array(B * H);
    const WhhOp = new RecurrentOperand(Whh, G, H, B);
    const context = kernel.prepare?.(Whh, B, H);
    try {
      for (let s = 0; s < T; s++) {
        const t = a.reverse ? s : T - 1 - s;
        const row0 = t * B;
        for (let i = 0; i < B * H; i++) dh[i] = dY[row0 * H + i] + dhCarry[i];
        kernel.backward({ row0, B, H, hPrev: Hprev.subarray(row0 * H, (row0 + B) * H), dh, dc, dxp, dhp, dhPrevDirect, context }, tape);
        dhCarry.set(dhPrevDirect);
        WhhOp.mulInto(dhCarry, dhp, B, true, row0 * G, 0);
      }
    } finally {
      WhhOp.dispose();
      context?.dispose();
    }
  }

  const dFlat = new Float32Array(paramCount);
  const [dWih, dWhh] = dhp === dxp
    ? matmulTransposeAPair(dxp, X, I, Hprev, H, rows, G)
    : [matmulTransposeA(dxp, X, rows, G, I), matmulTransposeA(dhp, Hprev, rows, G, H)];
  dFlat.set(dWih, a.weightIh);
  const dbIh = columnSums(dxp, rows, G);
  const dbHh = dhp === dxp ? dbIh : columnSums(dhp, rows, G);
  kernel.completeRecurrentGradients?.(dWhh, dbHh, rows, H, tape);
  dFlat.set(dWhh, a.weightHh);
  if (a.biasIh >= 0) {
    dFlat.set(dbIh, a.biasIh);
    dFlat.set(dbHh, a.biasHh);
  }
  const initialState = (d: Float32Array) => {
    const full = new Float32Array(stateShape!.reduce((m, n) => m * n, 1));
    full.set(d, a.stateIndex * B * H);
    return tf.tensor(full, stateShape!);
  };
  return {
    x: () => {
      const dX = matmul(dxp, Wih, rows, G, I);
      return a.inputBatchFirst ? tf.tensor3d(swapLeadingAxes(dX, T, B, I), [B, T, I]) : tf.tensor3d(dX, [T, B, I]);
    },
    flat: () => tf.tensor1d(dFlat),
    h0: () => initialState(dhCarry),
    c0: () => initialState(dc!),
  };
}

registerFusedKernel(KERNEL_NAME, forwardKernel, (dys, _saved, attrs) => {
  const a = attrs as unknown as Attrs;
  if (!a.saved) throw new Error(`${KERNEL_NAME}: no forward pass was recorded for this gradient.`);
  // tfjs asks for each input's gradient separately, and only for inputs on the path to the
  // variables; the BPTT sweep runs once, on the first request.
  let grads: ReturnType<typeof backward> | null = null;
  const get = () => (grads ??= backward(a, dys as tf.Tensor[]));
  return { x: () => get().x(), flat: () => get().flat(), h0: () => get().h0(), c0: () => get().c0() };
});

export interface RecurrenceResult {
  output: tf.Tensor3D; // [T, B, H], or [B, T, H] with outputBatchFirst
  h: tf.Tensor3D; // [1, B, H]
  c?: tf.Tensor3D; // [1, B, H], LSTM only
}

/**
 * Runs one layer-direction over x with the weights in `flat` (PyTorch layout at the offsets
 * in `spec`), starting from h0[spec.stateIndex] (and c0), or zeros when they are omitted.
 */
export function recurrence(spec: RecurrenceSpec, x: tf.Tensor3D, flat: tf.Tensor1D, h0?: tf.Tensor3D, c0?: tf.Tensor3D): RecurrenceResult {
  const inputs: tf.NamedTensorMap = { x, flat };
  if (h0) inputs.h0 = h0;
  if (c0) inputs.c0 = c0;
  // A fresh attrs object per call: the forward pass leaves its tape on it.
  const attrs = { ...spec } as unknown as tf.NamedAttrMap;
  const [output, h, c] = tf.engine().runKernel(KERNEL_NAME, inputs, attrs) as tf.Tensor3D[];
  return { output, h, c };
}
