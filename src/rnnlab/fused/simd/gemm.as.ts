// AssemblyScript, compiled to WebAssembly with SIMD by `npm run build` (see package.json);
// loaded by ../wasm-kernels.ts. Kept out of tsc's sources: f32, v128 and load<T> are
// AssemblyScript's.
//
// out[m×n] (+)= A·b[k×n], where A is m×k and A[i][p] sits at a + 4·(i·aRow + p·aCol): a plain
// row-major A has (aRow, aCol) = (k, 1); the transpose of a row-major [k×m] array has (1, m),
// which is how weight gradients (∂XPᵀ·X) are read without transposing first.
//
// Four rows of out by eight columns at a time: each step over p loads two vectors of b (eight
// columns) and four scalars of A, and does thirty-two multiply-adds in eight f32x4 registers.
// That is twice the work per splat and load of the 4×4 block it replaced, and about twice as
// fast at an LSTM's per-step sizes (32×128 by 128×512: 187 against 406 µs in one measurement
// on the shared machine, faster than tfjs's own matMul there). Leftover columns go four at a
// time, then one at a time. Every element is summed over p in the same order whichever block
// computes it, so the results do not depend on the blocking.

export function gemm(out: usize, a: usize, b: usize, m: i32, k: i32, n: i32, aRow: i32, aCol: i32, accumulate: i32): void {
  const n4 = n & ~3;
  const m4 = m & ~3;
  const bStride = <usize>n << 2;
  const aStep = <usize>aCol << 2;
  let i = 0;
  for (; i < m4; i += 4) {
    const a0 = a + ((<usize>i * aRow) << 2);
    const a1 = a0 + ((<usize>aRow) << 2);
    const a2 = a1 + ((<usize>aRow) << 2);
    const a3 = a2 + ((<usize>aRow) << 2);
    const o0 = out + ((<usize>i * n) << 2);
    const o1 = o0 + bStride;
    const o2 = o1 + bStride;
    const o3 = o2 + bStride;
    const n8 = n & ~7;
    for (let j = 0; j < n8; j += 8) block4x8(a0, a1, a2, a3, o0, o1, o2, o3, b, j, k, bStride, aStep, accumulate);
    for (let j = n8; j < n4; j += 4) {
      let c0 = f32x4.splat(0);
      let c1 = f32x4.splat(0);
      let c2 = f32x4.splat(0);
      let c3 = f32x4.splat(0);
      let bp = b + (<usize>j << 2);
      let ap: usize = 0;
      for (let p = 0; p < k; p++) {
        const bv = v128.load(bp);
        c0 = f32x4.add(c0, f32x4.mul(f32x4.splat(load<f32>(a0 + ap)), bv));
        c1 = f32x4.add(c1, f32x4.mul(f32x4.splat(load<f32>(a1 + ap)), bv));
        c2 = f32x4.add(c2, f32x4.mul(f32x4.splat(load<f32>(a2 + ap)), bv));
        c3 = f32x4.add(c3, f32x4.mul(f32x4.splat(load<f32>(a3 + ap)), bv));
        bp += bStride;
        ap += aStep;
      }
      const jo = <usize>j << 2;
      if (accumulate) {
        c0 = f32x4.add(c0, v128.load(o0 + jo));
        c1 = f32x4.add(c1, v128.load(o1 + jo));
        c2 = f32x4.add(c2, v128.load(o2 + jo));
        c3 = f32x4.add(c3, v128.load(o3 + jo));
      }
      v128.store(o0 + jo, c0);
      v128.store(o1 + jo, c1);
      v128.store(o2 + jo, c2);
      v128.store(o3 + jo, c3);
    }
    for (let r = i; r < i + 4; r++) edge(out, a, b, r, k, n, n4, aRow, aCol, accumulate);
  }
  for (; i < m; i++) row(out, a, b, i, k, n, n4, aRow, aCol, accumulate);
}

/** Rows a0…a3 of A times columns j … j + 7 of b, into rows o0…o3 of out. */
// @ts-ignore: AssemblyScript decorator
@inline
function block4x8(a0: usize, a1: usize, a2: usize, a3: usize, o0: usize, o1: usize, o2: usize, o3: usize, b: usize, j: i32, k: i32, bStride: usize, aStep: usize, accumulate: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let bp = b + (<usize>j << 2);
  let ap: usize = 0;
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let s = f32x4.splat(load<f32>(a0 + ap));
    c00 = f32x4.add(c00, f32x4.mul(s, b0));
    c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = f32x4.splat(load<f32>(a1 + ap));
    c10 = f32x4.add(c10, f32x4.mul(s, b0));
    c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = f32x4.splat(load<f32>(a2 + ap));
    c20 = f32x4.add(c20, f32x4.mul(s, b0));
    c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = f32x4.splat(load<f32>(a3 + ap));
    c30 = f32x4.add(c30, f32x4.mul(s, b0));
    c31 = f32x4.add(c31, f32x4.mul(s, b1));
    bp += bStride;
    ap += aStep;
  }
  const jo = <usize>j << 2;
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(o0 + jo));
    c01 = f32x4.add(c01, v128.load(o0 + jo, 16));
    c10 = f32x4.add(c10, v128.load(o1 + jo));
    c11 = f32x4.add(c11, v128.load(o1 + jo, 16));
    c20 = f32x4.add(c20, v128.load(o2 + jo));
    c21 = f32x4.add(c21, v128.load(o2 + jo, 16));
    c30 = f32x4.add(c30, v128.load(o3 + jo));
    c31 = f32x4.add(c31, v128.load(o3 + jo, 16));
  }
  v128.store(o0 + jo, c00);
  v128.store(o0 + jo, c01, 16);
  v128.store(o1 + jo, c10);
  v128.store(o1 + jo, c11, 16);
  v128.store(o2 + jo, c20);
  v128.store(o2 + jo, c21, 16);
  v128.store(o3 + jo, c30);
  v128.store(o3 + jo, c31, 16);
}

/**
 * Row i of out, four columns per f32x4 and the last n % 4 by edge: the rows the 4×4 blocks
 * leave over, which is every row of a single stream's products (B 1). Each lane sums in the
 * same order as edge, so the results are the same to the bit.
 */
function row(out: usize, a: usize, b: usize, i: i32, k: i32, n: i32, n4: i32, aRow: i32, aCol: i32, accumulate: i32): void {
  const ai = a + ((<usize>i * aRow) << 2);
  const oi = out + ((<usize>i * n) << 2);
  const bStride = <usize>n << 2;
  const aStep = <usize>aCol << 2;
  for (let j = 0; j < n4; j += 4) {
    let c = f32x4.splat(0);
    let bp = b + (<usize>j << 2);
    let ap: usize = 0;
    for (let p = 0; p < k; p++) {
      c = f32x4.add(c, f32x4.mul(f32x4.splat(load<f32>(ai + ap)), v128.load(bp)));
      bp += bStride;
      ap += aStep;
    }
    const jo = <usize>j << 2;
    if (accumulate) c = f32x4.add(c, v128.load(oi + jo));
    v128.store(oi + jo, c);
  }
  edge(out, a, b, i, k, n, n4, aRow, aCol, accumulate);
}

/** Row i of out, columns j0 … n − 1, one at a time: what the 4×4 blocks leave over. */
function edge(out: usize, a: usize, b: usize, i: i32, k: i32, n: i32, j0: i32, aRow: i32, aCol: i32, accumulate: i32): void {
  for (let j = j0; j < n; j++) {
    let s: f32 = 0;
    for (let p = 0; p < k; p++) {
      s += load<f32>(a + ((<usize>(i * aRow + p * aCol)) << 2)) * load<f32>(b + ((<usize>(p * n + j)) << 2));
    }
    const o = out + ((<usize>(i * n + j)) << 2);
    store<f32>(o, accumulate ? load<f32>(o) + s : s);
  }
}
