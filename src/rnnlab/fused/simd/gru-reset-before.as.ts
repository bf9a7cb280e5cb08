// AssemblyScript, compiled into the one WebAssembly module of ../wasm-kernels.ts (re-exported
// by rnn.as.ts, an entry file of the build).
//
// One timestep of the reset-before GRU (../gru-reset-before-kernel.ts), forwards and backwards,
// four units per f32x4: the gates before and after the product with W_hn, and that product
// (gemm, W_hn pinned for the sequence), in one call per step. Its gates in JavaScript were about
// a fifth of an M-size step. Same equations in f32 instead of f64; the tests hold the two to
// float32 rounding. Rows are one timestep's B rows; H is a multiple of 4.
import { gemm } from "./gemm.as";
import { sigmoid4, tanh4 } from "./lstm.as";

/**
 * r = σ(xp_r + hp_r + b_r), z = σ(xp_z + hp_z + b_z), u = (r ⊙ h_prev)·W_hnᵀ,
 * n = tanh(xp_n + b_n + u), h = (1 − z) ⊙ n + z ⊙ h_prev.
 * xp, hp, acts [B, 3H]; bSum [3H]; hPrev, h, resetH, u [B, H]; whnT [H, H].
 */
export function gruRbStepForward(xp: usize, hp: usize, bSum: usize, hPrev: usize, whnT: usize, u: usize, acts: usize, resetH: usize, h: usize, B: i32, H: i32): void {
  const gateBytes = (<usize>H) << 2;
  for (let r = 0; r < B; r++) {
    const row3 = (<usize>(r * 3 * H)) << 2;
    const row1 = (<usize>(r * H)) << 2;
    for (let j = 0; j < H; j += 4) {
      const o = (<usize>j) << 2;
      const gr = row3 + o;
      const gz = gr + gateBytes;
      const rv = sigmoid4(f32x4.add(f32x4.add(v128.load(xp + gr), v128.load(hp + gr)), v128.load(bSum + o)));
      const zv = sigmoid4(f32x4.add(f32x4.add(v128.load(xp + gz), v128.load(hp + gz)), v128.load(bSum + gateBytes + o)));
      v128.store(acts + gr, rv);
      v128.store(acts + gz, zv);
      v128.store(resetH + row1 + o, f32x4.mul(rv, v128.load(hPrev + row1 + o)));
    }
  }
  gemm(u, resetH, whnT, B, H, H, H, 1, 0);
  const one = f32x4.splat(1);
  for (let r = 0; r < B; r++) {
    const row3 = (<usize>(r * 3 * H)) << 2;
    const row1 = (<usize>(r * H)) << 2;
    for (let j = 0; j < H; j += 4) {
      const o = (<usize>j) << 2;
      const gz = row3 + o + gateBytes;
      const gn = gz + gateBytes;
      const zv = v128.load(acts + gz);
      const nv = tanh4(f32x4.add(f32x4.add(v128.load(xp + gn), v128.load(bSum + 2 * gateBytes + o)), v128.load(u + row1 + o)));
      v128.store(acts + gn, nv);
      v128.store(h + row1 + o, f32x4.add(f32x4.mul(f32x4.sub(one, zv), nv), f32x4.mul(zv, v128.load(hPrev + row1 + o))));
    }
  }
}

/**
 * Backwards: ∂a_n = ∂h (1 − z)(1 − n²), ∂a_z = ∂h (h_prev − n) z(1 − z), ∂(r⊙h) = ∂a_n·W_hn,
 * ∂a_r = ∂(r⊙h) ⊙ h_prev ⊙ r(1 − r); ∂xp = (∂a_r, ∂a_z, ∂a_n), ∂hp = (∂a_r, ∂a_z, 0), and
 * ∂h_prev's direct part ∂h ⊙ z + ∂(r⊙h) ⊙ r. dh, hPrev, dAn, dResetH, dhPrevDirect [B, H];
 * acts, dxp, dhp [B, 3H]; whn [H, H].
 */
export function gruRbStepBackward(dh: usize, acts: usize, hPrev: usize, whn: usize, dAn: usize, dResetH: usize, dxp: usize, dhp: usize, dhPrevDirect: usize, B: i32, H: i32): void {
  const gateBytes = (<usize>H) << 2;
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  for (let r = 0; r < B; r++) {
    const row3 = (<usize>(r * 3 * H)) << 2;
    const row1 = (<usize>(r * H)) << 2;
    for (let j = 0; j < H; j += 4) {
      const o = (<usize>j) << 2;
      const o1 = row1 + o;
      const gz = row3 + o + gateBytes;
      const gn = gz + gateBytes;
      const zv = v128.load(acts + gz);
      const nv = v128.load(acts + gn);
      const dhv = v128.load(dh + o1);
      const dan = f32x4.mul(f32x4.mul(dhv, f32x4.sub(one, zv)), f32x4.sub(one, f32x4.mul(nv, nv)));
      const daz = f32x4.mul(f32x4.mul(dhv, f32x4.sub(v128.load(hPrev + o1), nv)), f32x4.mul(zv, f32x4.sub(one, zv)));
      v128.store(dAn + o1, dan);
      v128.store(dxp + gz, daz);
      v128.store(dxp + gn, dan);
      v128.store(dhp + gz, daz);
      v128.store(dhp + gn, zero);
    }
  }
  gemm(dResetH, dAn, whn, B, H, H, H, 1, 0);
  for (let r = 0; r < B; r++) {
    const row3 = (<usize>(r * 3 * H)) << 2;
    const row1 = (<usize>(r * H)) << 2;
    for (let j = 0; j < H; j += 4) {
      const o = (<usize>j) << 2;
      const o1 = row1 + o;
      const gr = row3 + o;
      const rv = v128.load(acts + gr);
      const zv = v128.load(acts + gr + gateBytes);
      const dr = v128.load(dResetH + o1);
      const hp1 = v128.load(hPrev + o1);
      const dar = f32x4.mul(f32x4.mul(dr, hp1), f32x4.mul(rv, f32x4.sub(one, rv)));
      v128.store(dxp + gr, dar);
      v128.store(dhp + gr, dar);
      v128.store(dhPrevDirect + o1, f32x4.add(f32x4.mul(v128.load(dh + o1), zv), f32x4.mul(dr, rv)));
    }
  }
}
