/**
 * Matrix products for the fused recurrent kernels, on row-major Float32Arrays.
 *
 * Two routes, picked by size (measured on this class of machine, see README "Performance"):
 * - small products stay out of tfjs, whose ops cost tens of µs each whatever their size, which
 *   dominates at toy sizes (B 8, H 16): they run in WebAssembly SIMD (wasm-kernels.ts), or in the
 *   plain JavaScript loops below when that module is not available;
 * - large products go to the backend's matMul *without transpose flags*: on wasm the
 *   transposed forms run 10–20× slower than the plain one, so callers pass operands already
 *   laid out as [m, k] · [k, n].
 * The per-timestep products (RecurrentOperand, below) are the exception: with the WebAssembly
 * module built they stay in it at every size, their right-hand side pinned for the sequence.
 */
import * as tf from "@tensorflow/tfjs-core";
import { pin, simdGemm, simdGemmPinned, unpin, wasmKernelsAvailable, type PinnedOperand } from "./wasm-kernels";

/**
 * Products batched over time with fewer multiply-adds than this stay out of tfjs: in
 * WebAssembly SIMD (no per-op cost) or, without it, in JavaScript (under 1 GMAC/s).
 */
export const BACKEND_MATMUL_MIN_MACS = wasmKernelsAvailable() ? 400_000 : 48_000;

/** out[outOffset…] (+)= a[aOffset…][m×k] · b[k×n], in SIMD when it is available. */
export function smallMatmul(
  out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number,
  accumulate = false, aOffset = 0, outOffset = 0,
): void {
  if (wasmKernelsAvailable()) simdGemm(out, a, b, m, k, n, accumulate, false, aOffset, outOffset);
  else matmulJS(out, a, b, m, k, n, accumulate, aOffset, outOffset);
}

/**
 * out[m×n] (+)= a[m×k] · b[k×n], four rows by four columns at a time: the sixteen sums live in
 * local variables across the whole k loop, so each step loads four values of a and four of b
 * for sixteen multiply-adds and nothing is stored until the end. That is about twice as fast
 * as streaming rows of out (which loads and stores out for every multiply-add), and the sums
 * are accumulated in double precision.
 */
export function matmulJS(
  out: Float32Array, a: Float32Array, b: Float32Array,
  m: number, k: number, n: number, accumulate = false,
  aOffset = 0, outOffset = 0,
): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  let i = 0;
  for (; i < m4; i += 4) {
    const a0 = aOffset + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    const o0 = outOffset + i * n, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
    for (let j = 0; j < n4; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0, bp = j; p < k; p++, bp += n) {
        const b0 = b[bp], b1 = b[bp + 1], b2 = b[bp + 2], b3 = b[bp + 3];
        const x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
        c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
        c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
        c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3;
        c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3;
      }
      if (accumulate) {
        out[o0 + j] += c00; out[o0 + j + 1] += c01; out[o0 + j + 2] += c02; out[o0 + j + 3] += c03;
        out[o1 + j] += c10; out[o1 + j + 1] += c11; out[o1 + j + 2] += c12; out[o1 + j + 3] += c13;
        out[o2 + j] += c20; out[o2 + j + 1] += c21; out[o2 + j + 2] += c22; out[o2 + j + 3] += c23;
        out[o3 + j] += c30; out[o3 + j + 1] += c31; out[o3 + j + 2] += c32; out[o3 + j + 3] += c33;
      } else {
        out[o0 + j] = c00; out[o0 + j + 1] = c01; out[o0 + j + 2] = c02; out[o0 + j + 3] = c03;
        out[o1 + j] = c10; out[o1 + j + 1] = c11; out[o1 + j + 2] = c12; out[o1 + j + 3] = c13;
        out[o2 + j] = c20; out[o2 + j + 1] = c21; out[o2 + j + 2] = c22; out[o2 + j + 3] = c23;
        out[o3 + j] = c30; out[o3 + j + 1] = c31; out[o3 + j + 2] = c32; out[o3 + j + 3] = c33;
      }
    }
    for (let r = i; r < i + 4; r++) edgeColumns(out, a, b, r, k, n, n4, accumulate, aOffset, outOffset);
  }
  for (; i < m; i++) edgeColumns(out, a, b, i, k, n, 0, accumulate, aOffset, outOffset);
}

/** Row i of the product for columns from j0 on: the edges the 4×4 blocks leave. */
function edgeColumns(
  out: Float32Array, a: Float32Array, b: Float32Array, i: number, k: number, n: number, j0: number,
  accumulate: boolean, aOffset: number, outOffset: number,
): void {
  const ar = aOffset + i * k;
  for (let j = j0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += a[ar + p] * b[p * n + j];
    const o = outOffset + i * n + j;
    out[o] = accumulate ? out[o] + s : s;
  }
}

/** a[m×k] · b[k×n] as a new array, on whichever route is faster for its size. */
export function matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  if (m * k * n < BACKEND_MATMUL_MIN_MACS) {
    const out = new Float32Array(m * n);
    smallMatmul(out, a, b, m, k, n);
    return out;
  }
  return readAndDispose(tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n]))));
}

/**
 * Reads a result and frees it. (Returning a typed array from tf.tidy would make tfjs walk
 * every element looking for tensors: seconds for a large product.)
 */
function readAndDispose(t: tf.Tensor): Float32Array {
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

/** aᵀ · b for a[k×m], b[k×n]: weight gradients, summed over all timesteps in one product. */
export function matmulTransposeA(a: Float32Array, b: Float32Array, k: number, m: number, n: number): Float32Array {
  if (m * k * n < BACKEND_MATMUL_MIN_MACS) {
    // Transposing first and using the unrolled product is 2–3× faster than walking aᵀ in place
    // (115 against 43 µs for a 160×16 by 160×16 product here).
    const out = new Float32Array(m * n);
    if (wasmKernelsAvailable()) simdGemm(out, a, b, m, k, n, false, true);
    else matmulJS(out, transpose(a, k, m), b, m, k, n);
    return out;
  }
  // The backend's own transpose, then the fast untransposed matMul.
  return readAndDispose(tf.tidy(() => tf.matMul(tf.transpose(tf.tensor2d(a, [k, m])), tf.tensor2d(b, [k, n]))));
}

/**
 * [aᵀ·b1, aᵀ·b2] for a[k×m], b1[k×n1], b2[k×n2]: ∂W_ih and ∂W_hh of a cell whose two
 * products share one gradient (LSTM, RNN). On the backend route a is transposed once for both.
 */
export function matmulTransposeAPair(a: Float32Array, b1: Float32Array, n1: number, b2: Float32Array, n2: number, k: number, m: number): [Float32Array, Float32Array] {
  if (m * k * Math.max(n1, n2) < BACKEND_MATMUL_MIN_MACS) return [matmulTransposeA(a, b1, k, m, n1), matmulTransposeA(a, b2, k, m, n2)];
  const [p1, p2] = tf.tidy(() => {
    const aT = tf.transpose(tf.tensor2d(a, [k, m]));
    return [tf.matMul(aT, tf.tensor2d(b1, [k, n1])), tf.matMul(aT, tf.tensor2d(b2, [k, n2]))];
  });
  return [readAndDispose(p1), readAndDispose(p2)];
}

/** [d0, d1, F] → [d1, d0, F]: batch-major rows to time-major and back. */
export function swapLeadingAxes(a: Float32Array, d0: number, d1: number, F: number): Float32Array {
  const out = new Float32Array(a.length);
  if (F >= 16) {
    // Whole rows by TypedArray.set (a memcpy): 5–8× faster than the element loop for rows of
    // 32–128 floats here (B 32, T 50: 0.4 against 3.0 ms at F 128).
    for (let i = 0; i < d0; i++) {
      for (let j = 0; j < d1; j++) {
        const from = (i * d1 + j) * F;
        out.set(a.subarray(from, from + F), (j * d0 + i) * F);
      }
    }
    return out;
  }
  for (let i = 0; i < d0; i++) {
    for (let j = 0; j < d1; j++) {
      const from = (i * d1 + j) * F;
      const to = (j * d0 + i) * F;
      for (let f = 0; f < F; f++) out[to + f] = a[from + f];
    }
  }
  return out;
}

/** The transpose of a row-major [rows×cols] matrix. */
export const transpose = (a: Float32Array, rows: number, cols: number): Float32Array => swapLeadingAxes(a, rows, cols, 1);

/**
 * A right-hand operand used at every timestep (W_hhᵀ forwards, W_hh backwards), placed once
 * per sequence: pinned in the WebAssembly module's memory when it is built (its 4×8-block gemm
 * beats the backend's matMul plus a tensor in and out per step at these sizes), else uploaded
 * to the backend for large products, else kept for the JavaScript loops.
 */
export class RecurrentOperand {
  private readonly onBackend: tf.Tensor2D | null;
  private readonly pinned: PinnedOperand | null;

  constructor(private readonly b: Float32Array, private readonly k: number, private readonly n: number, m: number) {
    this.pinned = wasmKernelsAvailable() ? pin(b, k, n) : null;
    this.onBackend = this.pinned || m * k * n < BACKEND_MATMUL_MIN_MACS ? null : tf.tensor2d(b, [k, n]);
  }

  /** Where b sits in the WebAssembly module's memory, for kernels that multiply by it there. */
  get pinnedOperand(): PinnedOperand | null {
    return this.pinned;
  }

  /** out[outOffset…] (+)= a[aOffset…][m×k] · b */
  mulInto(out: Float32Array, a: Float32Array, m: number, accumulate: boolean, aOffset = 0, outOffset = 0): void {
    if (this.pinned) {
      simdGemmPinned(out, a, this.pinned, m, accumulate, aOffset, outOffset);
      return;
    }
    if (this.onBackend === null) {
      smallMatmul(out, a, this.b, m, this.k, this.n, accumulate, aOffset, outOffset);
      return;
    }
    const rows = a.subarray(aOffset, aOffset + m * this.k);
    const values = readAndDispose(tf.tidy(() => tf.matMul(tf.tensor2d(rows, [m, this.k]), this.onBackend!)));
    const size = m * this.n;
    if (accumulate) for (let i = 0; i < size; i++) out[outOffset + i] += values[i];
    else out.set(values, outOffset);
  }

  dispose(): void {
    this.onBackend?.dispose();
    if (this.pinned) unpin(this.pinned);
  }
}
