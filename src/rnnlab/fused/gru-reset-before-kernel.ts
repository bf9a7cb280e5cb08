/**
 * GRU in the reset-before form (d2l, Keras's reset_after=False), gate order r, z, n:
 *   r = σ(xp_r + hp_r)   z = σ(xp_z + hp_z)
 *   n = tanh(xp_n + b_n + W_hn (r ⊙ h_{t−1}))        b_n = b_in + b_hn
 *   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
 *
 * The reset gate scales h_{t−1} *before* the product with W_hn, so that product cannot be
 * part of the driver's h_{t−1}·W_hhᵀ: the kernel does it itself, after r, with W_hnᵀ made
 * once per sequence (prepare). The driver's product still covers all three gates; its n
 * columns are not read (they would be W_hn h_{t−1}).
 *
 * Backwards, with ∂a_n = ∂h (1 − z)(1 − n²):
 *   ∂(r⊙h) = ∂a_n · W_hn     ∂a_r = ∂(r⊙h) ⊙ h_{t−1} ⊙ r(1 − r)
 *   ∂h_{t−1} (not through the driver's product) = ∂h ⊙ z + ∂(r⊙h) ⊙ r
 *   ∂W_hn = Σ_t ∂a_nᵀ (r⊙h_{t−1})      ∂b_hn = Σ_t ∂a_n
 * The driver's ∂HP has zeros in the n columns (so its ∂h_{t−1} product skips W_hn), and
 * completeRecurrentGradients adds the W_hn and b_hn parts.
 *
 * Tape: r, z, n; r ⊙ h_{t−1}; and ∂a_n, written by backward for the weight gradient.
 */
import { sigmoid, tanh } from "./activations";
import type { CellKernel, KernelContext } from "./cell-kernels";
import { RecurrentOperand, matmulTransposeA, transpose } from "./matmul";
import { gruRbStepBackward, gruRbStepForward, wasmKernelsAvailable } from "./wasm-kernels";

interface ResetBeforeContext extends KernelContext {
  /** W_hnᵀ [H, H]: forwards, (r⊙h)·W_hnᵀ. */
  whnT: RecurrentOperand;
  /** W_hn [H, H]: backwards, ∂a_n·W_hn. */
  whn: RecurrentOperand;
  /** [B, H] scratch for either product. */
  product: Float32Array;
}

/**
 * With the WebAssembly module built and H a multiple of 4, each step after the driver's product
 * runs there (simd/gru-reset-before.as.ts, float32: both gate phases and the W_hn product in one
 * call); `useWasm: false` keeps the JavaScript loops below (float64), which the tests hold it to.
 */
export function makeGruResetBeforeKernel(useWasm = wasmKernelsAvailable()): CellKernel {
  const inWasm = (H: number, ctx: ResetBeforeContext) => useWasm && H % 4 === 0 && ctx.whnT.pinnedOperand !== null && ctx.whn.pinnedOperand !== null;
  return {
    name: useWasm ? "gru_reset_before_wasm" : "gru_reset_before",
    gateCount: 3,
    hasCellState: false,
    sharedPreactivationGrad: false,
    createTape: (rows, H) => [new Float32Array(rows * 3 * H), new Float32Array(rows * H), new Float32Array(rows * H)],

    prepare(whh, B, H): ResetBeforeContext {
      const Whn = whh.subarray(2 * H * H, 3 * H * H);
      const whnT = new RecurrentOperand(transpose(Whn, H, H), H, H, B);
      const whn = new RecurrentOperand(Whn, H, H, B);
      return { whnT, whn, product: new Float32Array(B * H), dispose: () => (whnT.dispose(), whn.dispose()) };
    },

    forward({ row0, tapeRow0, B, H, xp, hp, bSum, hPrev, h, context }, [acts, resetH]) {
      const G = 3 * H;
      const ctx = context as ResetBeforeContext;
      if (inWasm(H, ctx)) {
        gruRbStepForward(xp, row0 * G, hp, bSum, hPrev, ctx.whnT.pinnedOperand!, h, acts, tapeRow0 * G, resetH, tapeRow0 * H, B, H);
        return;
      }
      for (let b = 0; b < B; b++) {
        const x0 = (row0 + b) * G;
        const h0 = b * G;
        const a0 = (tapeRow0 + b) * G;
        const u0 = (tapeRow0 + b) * H;
        for (let j = 0; j < H; j++) {
          const r = sigmoid(xp[x0 + j] + hp[h0 + j] + bSum[j]);
          acts[a0 + j] = r;
          acts[a0 + H + j] = sigmoid(xp[x0 + H + j] + hp[h0 + H + j] + bSum[H + j]);
          resetH[u0 + j] = r * hPrev[b * H + j];
        }
      }
      const un = ctx.product;
      ctx.whnT.mulInto(un, resetH, B, false, tapeRow0 * H, 0);
      for (let b = 0; b < B; b++) {
        const x0 = (row0 + b) * G;
        const a0 = (tapeRow0 + b) * G;
        for (let j = 0; j < H; j++) {
          const u = b * H + j;
          const z = acts[a0 + H + j];
          const n = tanh(xp[x0 + 2 * H + j] + bSum[2 * H + j] + un[u]);
          acts[a0 + 2 * H + j] = n;
          h[u] = (1 - z) * n + z * hPrev[u];
        }
      }
    },

    backward({ row0, B, H, hPrev, dh, dxp, dhp, dhPrevDirect, context }, [acts, , dAn]) {
      const G = 3 * H;
      const ctx = context as ResetBeforeContext;
      if (inWasm(H, ctx)) {
        gruRbStepBackward(dh, acts, hPrev, ctx.whn.pinnedOperand!, dAn, dxp, dhp, dhPrevDirect, row0, B, H);
        return;
      }
      for (let b = 0; b < B; b++) {
        const x0 = (row0 + b) * G;
        for (let j = 0; j < H; j++) {
          const u = b * H + j;
          const z = acts[x0 + H + j];
          const n = acts[x0 + 2 * H + j];
          const dan = dh[u] * (1 - z) * (1 - n * n);
          const daz = dh[u] * (hPrev[u] - n) * z * (1 - z);
          dAn[(row0 + b) * H + j] = dan;
          dxp[x0 + H + j] = daz;
          dxp[x0 + 2 * H + j] = dan;
          dhp[x0 + H + j] = daz;
          dhp[x0 + 2 * H + j] = 0;
        }
      }
      const dResetH = ctx.product;
      ctx.whn.mulInto(dResetH, dAn, B, false, row0 * H, 0);
      for (let b = 0; b < B; b++) {
        const x0 = (row0 + b) * G;
        for (let j = 0; j < H; j++) {
          const u = b * H + j;
          const r = acts[x0 + j];
          const z = acts[x0 + H + j];
          const dar = dResetH[u] * hPrev[u] * r * (1 - r);
          dxp[x0 + j] = dar;
          dhp[x0 + j] = dar;
          dhPrevDirect[u] = dh[u] * z + dResetH[u] * r;
        }
      }
    },

    completeRecurrentGradients(dWhh, dbHh, rows, H, [, resetH, dAn]) {
      dWhh.set(matmulTransposeA(dAn, resetH, rows, H, H), 2 * H * H);
      for (let r = 0; r < rows; r++) for (let j = 0; j < H; j++) dbHh[2 * H + j] += dAn[r * H + j];
    },
  };
}

/** One kernel object for the process: V8 optimises a function per closure (see layers/rnn.ts). */
export const gruResetBeforeKernel: CellKernel = makeGruResetBeforeKernel();
