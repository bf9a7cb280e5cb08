/**
 * Matrix products for the fused recurrent kernels, on row-major Float32Arrays.
 *
 * Two routes, picked by size (measured on this class of machine, see README "Performance"):
 * - small products run as plain JavaScript loops: a tfjs op costs 30–80 µs of overhead
 *   whatever its size, which dominates at toy sizes (B 8, H 16);
 * - large products go to the backend's matMul *without transpose flags*: on wasm the
 *   transposed forms run 10–20× slower than the plain one, so callers pass operands already
 *   laid out as [m, k] · [k, n].
 */
import * as tf from "@tensorflow/tfjs-core";

/** Products with fewer multiply-adds than this stay in JavaScript. */
export const BACKEND_MATMUL_MIN_MACS = 48_000;

/**
 * out[m×n] (+)= a[m×k] · b[k×n], in i-k-j order so the inner loop streams rows of b and out,
 * four k at a time: each pass over an output row then does four multiply-adds per load and
 * store of out, which roughly doubles the speed of plain JavaScript here.
 */
export function matmulJS(
  out: Float32Array, a: Float32Array, b: Float32Array,
  m: number, k: number, n: number, accumulate = false,
  aOffset = 0, outOffset = 0,
): void {
  if (!accumulate) out.fill(0, outOffset, outOffset + m * n);
  const k4 = k - (k % 4);
  for (let i = 0; i < m; i++) {
    const oRow = outOffset + i * n;
    const aRow = aOffset + i * k;
    let p = 0;
    for (; p < k4; p += 4) {
      const a0 = a[aRow + p], a1 = a[aRow + p + 1], a2 = a[aRow + p + 2], a3 = a[aRow + p + 3];
      const b0 = p * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
      for (let j = 0; j < n; j++) out[oRow + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
    }
    for (; p < k; p++) {
      const av = a[aRow + p];
      const bRow = p * n;
      for (let j = 0; j < n; j++) out[oRow + j] += av * b[bRow + j];
    }
  }
}

/** a[m×k] · b[k×n] as a new array, on whichever route is faster for its size. */
export function matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  if (m * k * n < BACKEND_MATMUL_MIN_MACS) {
    const out = new Float32Array(m * n);
    matmulJS(out, a, b, m, k, n);
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
    matmulJS(out, transpose(a, k, m), b, m, k, n);
    return out;
  }
  // The backend's own transpose, then the fast untransposed matMul.
  return readAndDispose(tf.tidy(() => tf.matMul(tf.transpose(tf.tensor2d(a, [k, m])), tf.tensor2d(b, [k, n]))));
}

/** The transpose of a row-major [rows×cols] matrix. */
export function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

/**
 * A right-hand operand used at every timestep (W_hhᵀ forwards, W_hh backwards): uploaded to
 * the backend once per sequence instead of once per step.
 */
export class RecurrentOperand {
  private readonly onBackend: tf.Tensor2D | null;

  constructor(private readonly b: Float32Array, private readonly k: number, private readonly n: number, m: number) {
    this.onBackend = m * k * n < BACKEND_MATMUL_MIN_MACS ? null : tf.tensor2d(b, [k, n]);
  }

  /** out[outOffset…] (+)= a[aOffset…][m×k] · b */
  mulInto(out: Float32Array, a: Float32Array, m: number, accumulate: boolean, aOffset = 0, outOffset = 0): void {
    if (this.onBackend === null) {
      matmulJS(out, a, this.b, m, this.k, this.n, accumulate, aOffset, outOffset);
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
  }
}
