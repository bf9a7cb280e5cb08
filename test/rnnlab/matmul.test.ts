import { describe, expect, it } from "vitest";
import { RecurrentOperand, matmulJS, matmulTransposeA, swapLeadingAxes } from "../../src/rnnlab/fused/matmul";
import { simdGemm, wasmKernelsStatus } from "../../src/rnnlab/fused/wasm-kernels";

/** The textbook triple loop in float64. */
function naive(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) out[i * n + j] += a[i * k + p] * b[p * n + j];
  return out;
}

function random(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1);
}

const maxDiff = (x: ArrayLike<number>, y: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
};

describe("matmulJS", () => {
  // Shapes on and off the 4×4 blocks, including the layers' own (B 8, H 16, 4H 64).
  const shapes = [[1, 1, 1], [3, 5, 2], [4, 4, 4], [7, 13, 5], [8, 16, 64], [9, 3, 6], [160, 8, 16], [5, 1, 9]];
  for (const [m, k, n] of shapes) {
    it(`computes a[${m}×${k}]·b[${k}×${n}], overwriting or accumulating, at offsets`, () => {
      const a = random(m * k + 3, m + k);
      const b = random(k * n, n + 7);
      const expected = naive(a.subarray(3), b, m, k, n);
      const out = new Float32Array(m * n + 2).fill(Number.NaN); // stale values must not leak through
      matmulJS(out, a, b, m, k, n, false, 3, 2);
      expect(maxDiff(out.subarray(2), expected)).toBeLessThan(1e-5);
      expect(Number.isNaN(out[0]) && Number.isNaN(out[1])).toBe(true); // nothing written before the offset
      const base = random(m * n, 99);
      const acc = base.slice();
      matmulJS(acc, a, b, m, k, n, true, 3, 0);
      expect(maxDiff(acc, expected.map((v, i) => v + base[i]))).toBeLessThan(1e-5);
    });
  }

  it("matmulTransposeA computes aᵀ·b", () => {
    const [k, m, n] = [11, 6, 5];
    const a = random(k * m, 1);
    const b = random(k * n, 2);
    const aT = new Float32Array(m * k);
    for (let r = 0; r < k; r++) for (let c = 0; c < m; c++) aT[c * k + r] = a[r * m + c];
    expect(maxDiff(matmulTransposeA(a, b, k, m, n), naive(aT, b, m, k, n))).toBeLessThan(1e-5);
  });
});

describe("simdGemm", () => {
  it("is built and loaded: the fused kernels' small products run in WebAssembly SIMD", () => {
    expect(wasmKernelsStatus()).toMatchObject({ simd: true });
  });

  // m < 4 and m % 4 rows (a single stream, B 1) take the one-row SIMD path; n % 8 columns the
  // 4-column block (n % 8 ≥ 4), then the scalar edge (n % 4).
  for (const [m, k, n] of [[1, 1, 1], [3, 5, 2], [8, 16, 64], [7, 13, 5], [160, 8, 16], [9, 3, 6], [1, 64, 256], [2, 9, 13], [6, 7, 8], [5, 6, 12], [12, 7, 23], [33, 20, 40]]) {
    it(`computes a[${m}×${k}]·b[${k}×${n}] and aᵀ·b, overwriting or accumulating, at offsets`, () => {
      const a = random(m * k + 3, m + k + 1);
      const b = random(k * n, n + 8);
      const expected = naive(a.subarray(3), b, m, k, n);
      const out = new Float32Array(m * n + 2).fill(Number.NaN);
      simdGemm(out, a, b, m, k, n, false, false, 3, 2);
      expect(maxDiff(out.subarray(2), expected)).toBeLessThan(1e-5);
      const base = random(m * n, 98);
      const acc = base.slice();
      simdGemm(acc, a, b, m, k, n, true, false, 3, 0);
      expect(maxDiff(acc, expected.map((v, i) => v + base[i]))).toBeLessThan(1e-5);
      // The same A stored transposed, as [k×m].
      const aT = new Float32Array(k * m);
      for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) aT[p * m + i] = a[3 + i * k + p];
      const viaT = new Float32Array(m * n);
      simdGemm(viaT, aT, b, m, k, n, false, true);
      expect(maxDiff(viaT, expected)).toBeLessThan(1e-5);
    });
  }
});

describe("swapLeadingAxes", () => {
  // Rows of 16 floats or more are copied whole, shorter ones element by element.
  for (const [d0, d1, F] of [[3, 4, 1], [2, 5, 3], [4, 3, 16], [5, 7, 40], [1, 6, 128]]) {
    it(`turns [${d0}, ${d1}, ${F}] into [${d1}, ${d0}, ${F}]`, () => {
      const a = random(d0 * d1 * F, d0 + d1 + F);
      const out = swapLeadingAxes(a, d0, d1, F);
      let wrong = 0;
      for (let i = 0; i < d0; i++) for (let j = 0; j < d1; j++) for (let f = 0; f < F; f++) if (out[(j * d0 + i) * F + f] !== a[(i * d1 + j) * F + f]) wrong++;
      expect(wrong).toBe(0);
      expect(out.length).toBe(a.length);
    });
  }
});

describe("RecurrentOperand", () => {
  it("multiplies by an operand pinned in WebAssembly memory; two at once, freed in either order", () => {
    const [m, k, n] = [33, 24, 40];
    const b1 = random(k * n, 5);
    const b2 = random(n * k, 6);
    const op1 = new RecurrentOperand(b1, k, n, m);
    const op2 = new RecurrentOperand(b2, n, k, m);
    const a = random(m * k + 4, 7);
    for (let step = 0; step < 3; step++) {
      // Other products in between use the scratch memory above the pinned operands.
      const small = new Float32Array(6);
      simdGemm(small, random(6, 8), random(1, 9), 6, 1, 1, false, false);
      const out = new Float32Array(m * n);
      op1.mulInto(out, a, m, false, 4);
      expect(maxDiff(out, naive(a.subarray(4), b1, m, k, n))).toBeLessThan(1e-5);
      const back = random(m * k, 10);
      op2.mulInto(back, out, m, true);
      const expected = naive(out, b2, m, n, k).map((v, i) => v + random(m * k, 10)[i]);
      expect(maxDiff(back, expected)).toBeLessThan(1e-4);
    }
    op1.dispose();
    const out2 = new Float32Array(m * k);
    op2.mulInto(out2, random(m * n, 11), m, false);
    expect(maxDiff(out2, naive(random(m * n, 11), b2, m, n, k))).toBeLessThan(1e-4);
    op2.dispose();
    const op3 = new RecurrentOperand(b1, k, n, m);
    const out3 = new Float32Array(m * n);
    op3.mulInto(out3, a, m, false, 4);
    expect(maxDiff(out3, naive(a.subarray(4), b1, m, k, n))).toBeLessThan(1e-5);
    op3.dispose();
  });
});
