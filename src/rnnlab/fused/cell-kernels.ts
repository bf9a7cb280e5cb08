/**
 * The element-wise part of each recurrent cell, forwards and backwards, on Float32Arrays.
 *
 * The driver (recurrence.ts) does the matrix products: for every timestep it hands a kernel
 *   xp = W_ih x_t   (precomputed for the whole sequence, one big product)
 *   hp = W_hh h_{t−1}   (this step's recurrent product)
 * and the kernel adds the biases b_ih, b_hh and applies the cell's gates. Backwards, the kernel turns ∂L/∂h_t (and ∂L/∂c_t)
 * into ∂L/∂xp and ∂L/∂hp; the driver turns those into weight gradients and ∂L/∂h_{t−1}.
 * The equations are the same as the readable cells in ../cells/, which the tests hold them to.
 */

import { sigmoid, tanh } from "./activations";
import { gruGatesBackward, gruGatesForward, lstmGatesBackward, lstmGatesForward, lstmSequenceBackward, lstmSequenceForward, rnnSequenceBackward, rnnSequenceForward, wasmKernelsAvailable } from "./wasm-kernels";

/** Per-step views handed to a kernel. Row r = t·B + b (time-major), G = gateCount·H. */
export interface StepForward {
  row0: number; // t·B
  /** Where this step's tape rows go: row0 while recording for backward, else 0 (a scratch tape). */
  tapeRow0: number;
  B: number;
  H: number;
  xp: Float32Array; // [T·B, G], read rows row0…row0+B
  hp: Float32Array; // [B, G]
  bIh: Float32Array; // [G]
  bHh: Float32Array; // [G]
  bSum: Float32Array; // [G], b_ih + b_hh
  hPrev: Float32Array; // [B, H]
  cPrev: Float32Array | null; // [B, H], LSTM only
  h: Float32Array; // [B, H], written
  c: Float32Array | null; // [B, H], written, LSTM only
  /** What the kernel's prepare() made for this sequence, if it has one. */
  context?: KernelContext;
}

/** Per-sequence operands a kernel makes from W_hh (reset-before GRU's W_hn), freed after the sequence. */
export interface KernelContext {
  dispose(): void;
}

export interface StepBackward {
  row0: number;
  B: number;
  H: number;
  hPrev: Float32Array; // [B, H]
  dh: Float32Array; // [B, H]: ∂L/∂h_t, everything flowing into h_t
  dc: Float32Array | null; // [B, H]: in ∂L/∂c_t from later steps, out ∂L/∂c_{t−1}
  dxp: Float32Array; // [T·B, G], write rows row0…
  dhp: Float32Array; // [T·B, G], write rows row0… (the same array as dxp when shared)
  dhPrevDirect: Float32Array; // [B, H], written: ∂L/∂h_{t−1} not through W_hh (GRU's z⊙h_{t−1})
  context?: KernelContext;
}

/** A whole sequence at once (time-major rows, r = t·B + b), for kernels that loop in WebAssembly. */
export interface SequenceForward {
  T: number;
  B: number;
  H: number;
  reverse: boolean;
  xp: Float32Array; // [T·B, G]
  bSum: Float32Array; // [G]
  whhT: Float32Array; // [H, G], W_hhᵀ
  h0: Float32Array; // [B, H]
  y: Float32Array; // [T·B, H], written: h_t for every t
  c0: Float32Array | null; // [B, H], LSTM only
  c: Float32Array | null; // [B, H], written: c_T, LSTM only
  /** Whether backward will follow (keep the whole tape) or this is inference. */
  record: boolean;
}

export interface SequenceBackward {
  T: number;
  B: number;
  H: number;
  reverse: boolean;
  dy: Float32Array; // [T·B, H]: ∂L/∂output
  y: Float32Array; // [T·B, H]: the forward pass's outputs
  whh: Float32Array; // [G, H]
  dh: Float32Array; // [B, H]: in ∂L/∂h_T, out ∂L/∂h0
  dxp: Float32Array; // [T·B, G], written (the same as ∂L/∂hp: sharedPreactivationGrad)
  dc: Float32Array | null; // [B, H]: in ∂L/∂c_T, out ∂L/∂c0, LSTM only
  tape: Float32Array[]; // what forwardSequence returned
}

export interface CellKernel {
  readonly name: string;
  readonly gateCount: number;
  readonly hasCellState: boolean;
  /** True when ∂L/∂xp equals ∂L/∂hp (gates that just add the two products). */
  readonly sharedPreactivationGrad: boolean;
  /** Per-sequence storage of what backward needs; its size is the BPTT memory. */
  createTape(rows: number, H: number): Float32Array[];
  forward(s: StepForward, tape: Float32Array[]): void;
  backward(s: StepBackward, tape: Float32Array[]): void;
  /**
   * For kernels with a product the driver does not do (reset-before GRU: W_hn (r ⊙ h_{t−1})):
   * operands made once per sequence from W_hh [G, H], handed to every step as `context`.
   */
  prepare?(whh: Float32Array, B: number, H: number): KernelContext;
  /**
   * The driver computes ∂W_hh = ∂HPᵀ·H_prev and ∂b_hh = Σ ∂HP; a kernel whose recurrent
   * product is not h_{t−1}·W_hhᵀ for every gate adds its own part to them here, in place.
   */
  completeRecurrentGradients?(dWhh: Float32Array, dbHh: Float32Array, rows: number, H: number, tape: Float32Array[]): void;
  /**
   * The whole time loop in one call, when the kernel has one; recurrence.ts steps otherwise.
   * forwardSequence returns the tape for backwardSequence ([] when y is all it needs).
   */
  forwardSequence?(s: SequenceForward): Float32Array[];
  backwardSequence?(s: SequenceBackward): void;
  /**
   * Whether the whole-sequence loop runs at these sizes. Without it, recurrence.ts uses it while
   * a step's product is small enough to beat the backend's matMul.
   */
  sequenceAt?(B: number, H: number): boolean;
}

/**
 * Vanilla RNN: h_t = act(xp + hp). Tape: h_t. With the WebAssembly module built, its whole time
 * loop runs there (simd/rnn.as.ts, the same arithmetic); `forward` and `backward` below are the
 * JavaScript fallback and what the tests hold that loop to.
 */
export function rnnKernel(nonlinearity: "tanh" | "relu", useWasm = wasmKernelsAvailable()): CellKernel {
  const relu = nonlinearity === "relu";
  const sequence: Pick<CellKernel, "forwardSequence" | "backwardSequence"> = useWasm
    ? {
        forwardSequence: ({ T, B, H, reverse, xp, bSum, whhT, h0, y }) => {
          rnnSequenceForward(y, xp, bSum, whhT, h0, T, B, H, reverse, relu);
          return [];
        },
        backwardSequence: ({ T, B, H, reverse, dy, y, whh, dh, dxp }) => rnnSequenceBackward(dxp, dy, y, whh, dh, T, B, H, reverse, relu),
      }
    : {};
  return {
    ...sequence,
    name: `rnn_${nonlinearity}`,
    gateCount: 1,
    hasCellState: false,
    sharedPreactivationGrad: true,
    createTape: (rows, H) => [new Float32Array(rows * H)],
    forward({ row0, tapeRow0, B, H, xp, hp, bSum, h }, [hs]) {
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < H; j++) {
          const i = b * H + j;
          const a = xp[row0 * H + i] + hp[i] + bSum[j];
          const v = relu ? (a > 0 ? a : 0) : tanh(a);
          h[i] = v;
          hs[tapeRow0 * H + i] = v;
        }
      }
    },
    backward({ row0, B, H, dh, dxp, dhPrevDirect }, [hs]) {
      for (let i = 0; i < B * H; i++) {
        const v = hs[row0 * H + i];
        dxp[row0 * H + i] = relu ? (v > 0 ? dh[i] : 0) : dh[i] * (1 - v * v);
      }
      dhPrevDirect.fill(0);
    },
  };
}

/**
 * LSTM, PyTorch's gate order i, f, g, o:
 *   i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o)      with a = xp + hp
 *   c_t = f ⊙ c_{t−1} + i ⊙ g        h_t = o ⊙ tanh(c_t)
 * Tape: the four activations, c_{t−1} and tanh(c_t).
 * With the WebAssembly module built and H a multiple of 4, the whole time loop runs there in
 * SIMD (simd/lstm.as.ts, float32: each step's product and gates), forwards and backwards, at
 * every size: its gemm beats tfjs's matMul plus a copy in and out per step. `useWasm: false`
 * keeps these JavaScript loops (float64), which the tests hold those to.
 */
export function makeLstmKernel(useWasm = wasmKernelsAvailable()): CellKernel {
  return {
    ...(useWasm
      ? {
          sequenceAt: (_B: number, H: number) => H % 4 === 0,
          forwardSequence: ({ T, B, H, reverse, xp, bSum, whhT, h0, c0, c, y, record }: SequenceForward) =>
            lstmSequenceForward(y, c!, xp, bSum, whhT, h0, c0!, T, B, H, reverse, record),
          backwardSequence: ({ T, B, H, reverse, dy, tape, whh, dh, dc, dxp }: SequenceBackward) =>
            lstmSequenceBackward(dxp, dy, tape, whh, dh, dc!, T, B, H, reverse),
        }
      : {}),
    name: useWasm ? "lstm_wasm" : "lstm",
    gateCount: 4,
    hasCellState: true,
    sharedPreactivationGrad: true,
    createTape: (rows, H) => [new Float32Array(rows * 4 * H), new Float32Array(rows * H), new Float32Array(rows * H)],
    forward({ row0, tapeRow0, B, H, xp, hp, bSum, cPrev, h, c }, [acts, cPrevs, tanhCs]) {
      const G = 4 * H;
      if (useWasm && H % 4 === 0) {
        lstmGatesForward(xp, row0 * G, hp, bSum, cPrev!, h, c!, acts, tapeRow0 * G, tanhCs, tapeRow0 * H, B, H);
        cPrevs.set(cPrev!.subarray(0, B * H), tapeRow0 * H);
        return;
      }
      for (let b = 0; b < B; b++) {
        const x0 = (row0 + b) * G;
        const h0 = b * G;
        const a0 = (tapeRow0 + b) * G;
        const u0 = (tapeRow0 + b) * H;
        for (let j = 0; j < H; j++) {
          const i = sigmoid(xp[x0 + j] + hp[h0 + j] + bSum[j]);
          const f = sigmoid(xp[x0 + H + j] + hp[h0 + H + j] + bSum[H + j]);
          const g = tanh(xp[x0 + 2 * H + j] + hp[h0 + 2 * H + j] + bSum[2 * H + j]);
          const o = sigmoid(xp[x0 + 3 * H + j] + hp[h0 + 3 * H + j] + bSum[3 * H + j]);
          const u = b * H + j;
          const cp = cPrev![u];
          const ct = f * cp + i * g;
          const tc = tanh(ct);
          c![u] = ct;
          h[u] = o * tc;
          acts[a0 + j] = i;
          acts[a0 + H + j] = f;
          acts[a0 + 2 * H + j] = g;
          acts[a0 + 3 * H + j] = o;
          cPrevs[u0 + j] = cp;
          tanhCs[u0 + j] = tc;
        }
      }
    },
    backward({ row0, B, H, dh, dc, dxp, dhPrevDirect }, [acts, cPrevs, tanhCs]) {
      const G = 4 * H;
      dhPrevDirect.fill(0);
      if (useWasm && H % 4 === 0) {
        lstmGatesBackward(dh, dc!, acts, cPrevs, tanhCs, dxp, row0, B, H);
        return;
      }
      for (let b = 0; b < B; b++) {
        const x0 = (row0 + b) * G;
        for (let j = 0; j < H; j++) {
          const u = b * H + j;
          const i = acts[x0 + j];
          const f = acts[x0 + H + j];
          const g = acts[x0 + 2 * H + j];
          const o = acts[x0 + 3 * H + j];
          const tc = tanhCs[(row0 + b) * H + j];
          const cp = cPrevs[(row0 + b) * H + j];
          const dct = dc![u] + dh[u] * o * (1 - tc * tc);
          dxp[x0 + j] = dct * g * i * (1 - i);
          dxp[x0 + H + j] = dct * cp * f * (1 - f);
          dxp[x0 + 2 * H + j] = dct * i * (1 - g * g);
          dxp[x0 + 3 * H + j] = dh[u] * tc * o * (1 - o);
          dc![u] = dct * f;
        }
      }
    },
  };
}

/** One kernel object for the process: V8 optimises a function per closure (see layers/rnn.ts). */
export const lstmKernel: CellKernel = makeLstmKernel();

/**
 * GRU in PyTorch's reset-after form, gate order r, z, n:
 *   r = σ(xp_r + hp_r)   z = σ(xp_z + hp_z)   n = tanh(xp_n + r ⊙ hp_n)
 *   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
 * Tape: r, z, n and hp_n (= W_hn h_{t−1} + b_hn, which the reset gate scales).
 * With the WebAssembly module built and H a multiple of 4, the gates run there in SIMD
 * (simd/gru.as.ts, float32); `useWasm: false` keeps these JavaScript loops (float64), which
 * the tests hold those to.
 */
export function makeGruKernel(useWasm = wasmKernelsAvailable()): CellKernel {
  return {
    name: useWasm ? "gru_wasm" : "gru",
    gateCount: 3,
    hasCellState: false,
    sharedPreactivationGrad: false,
    createTape: (rows, H) => [new Float32Array(rows * 3 * H), new Float32Array(rows * H)],
    forward({ row0, tapeRow0, B, H, xp, hp, bIh, bHh, bSum, hPrev, h }, [acts, hpNs]) {
      const G = 3 * H;
      if (useWasm && H % 4 === 0) {
        gruGatesForward(xp, row0 * G, hp, bSum, bIh, bHh, hPrev, h, acts, tapeRow0 * G, hpNs, tapeRow0 * H, B, H);
        return;
      }
      for (let b = 0; b < B; b++) {
        const x0 = (row0 + b) * G;
        const h0 = b * G;
        const a0 = (tapeRow0 + b) * G;
        for (let j = 0; j < H; j++) {
          const r = sigmoid(xp[x0 + j] + hp[h0 + j] + bSum[j]);
          const z = sigmoid(xp[x0 + H + j] + hp[h0 + H + j] + bSum[H + j]);
          const hpN = hp[h0 + 2 * H + j] + bHh[2 * H + j];
          const n = tanh(xp[x0 + 2 * H + j] + bIh[2 * H + j] + r * hpN);
          const u = b * H + j;
          h[u] = (1 - z) * n + z * hPrev[u];
          acts[a0 + j] = r;
          acts[a0 + H + j] = z;
          acts[a0 + 2 * H + j] = n;
          hpNs[(tapeRow0 + b) * H + j] = hpN;
        }
      }
    },
    backward({ row0, B, H, hPrev, dh, dxp, dhp, dhPrevDirect }, [acts, hpNs]) {
      const G = 3 * H;
      if (useWasm && H % 4 === 0) {
        gruGatesBackward(dh, acts, hpNs, hPrev, dxp, dhp, dhPrevDirect, row0, B, H);
        return;
      }
      for (let b = 0; b < B; b++) {
        const x0 = (row0 + b) * G;
        for (let j = 0; j < H; j++) {
          const u = b * H + j;
          const r = acts[x0 + j];
          const z = acts[x0 + H + j];
          const n = acts[x0 + 2 * H + j];
          const hpN = hpNs[(row0 + b) * H + j];
          const dan = dh[u] * (1 - z) * (1 - n * n);
          const dar = dan * hpN * r * (1 - r);
          const daz = dh[u] * (hPrev[u] - n) * z * (1 - z);
          dxp[x0 + j] = dar;
          dxp[x0 + H + j] = daz;
          dxp[x0 + 2 * H + j] = dan;
          dhp[x0 + j] = dar;
          dhp[x0 + H + j] = daz;
          dhp[x0 + 2 * H + j] = dan * r;
          dhPrevDirect[u] = dh[u] * z;
        }
      }
    },
  };
}

/** One kernel object for the process: V8 optimises a function per closure (see layers/rnn.ts). */
export const gruKernel: CellKernel = makeGruKernel();
