// AssemblyScript, compiled into the one WebAssembly module of ../wasm-kernels.ts (re-exported
// by rnn.as.ts, an entry file of the build).
//
// The reset-after GRU's gates (PyTorch's form, rnnlab's default) for one timestep, forwards and
// backwards, four units at a time in f32x4 lanes: after the products, three nonlinearities per
// unit in JavaScript were the largest part of a GRU step. Same equations as gruKernel in
// ../cell-kernels.ts, in f32 instead of f64: the two agree to float32 rounding
// (test/rnnlab/gru-wasm-cells.test.ts). Rows are one timestep's B rows; H is a multiple of 4.
import { sigmoid4, tanh4 } from "./lstm.as";

/**
 * One timestep, gates r, z, n:  r = σ(xp_r + hp_r + b_r)  z = σ(xp_z + hp_z + b_z)
 * n = tanh(xp_n + b_ih,n + r ⊙ (hp_n + b_hh,n))   h = (1 − z) ⊙ n + z ⊙ h_prev.
 * xp, hp, acts [B, 3H]; bSum, bIh, bHh [3H]; hPrev, h, hpN [B, H].
 * acts receives r, z, n and hpN receives hp_n + b_hh,n: the tape backward reads.
 */
export function gruGatesForward(xp: usize, hp: usize, bSum: usize, bIh: usize, bHh: usize, hPrev: usize, h: usize, acts: usize, hpN: usize, B: i32, H: i32): void {
  const gateBytes = (<usize>H) << 2;
  const one = f32x4.splat(1);
  for (let r = 0; r < B; r++) {
    const row3 = (<usize>(r * 3 * H)) << 2;
    const row1 = (<usize>(r * H)) << 2;
    for (let j = 0; j < H; j += 4) {
      const o = (<usize>j) << 2;
      const gr = row3 + o;
      const gz = gr + gateBytes;
      const gn = gz + gateBytes;
      const rv = sigmoid4(f32x4.add(f32x4.add(v128.load(xp + gr), v128.load(hp + gr)), v128.load(bSum + o)));
      const zv = sigmoid4(f32x4.add(f32x4.add(v128.load(xp + gz), v128.load(hp + gz)), v128.load(bSum + gateBytes + o)));
      const hpn = f32x4.add(v128.load(hp + gn), v128.load(bHh + 2 * gateBytes + o));
      const nv = tanh4(f32x4.add(f32x4.add(v128.load(xp + gn), v128.load(bIh + 2 * gateBytes + o)), f32x4.mul(rv, hpn)));
      const hp1 = v128.load(hPrev + row1 + o);
      v128.store(h + row1 + o, f32x4.add(f32x4.mul(f32x4.sub(one, zv), nv), f32x4.mul(zv, hp1)));
      v128.store(acts + gr, rv);
      v128.store(acts + gz, zv);
      v128.store(acts + gn, nv);
      v128.store(hpN + row1 + o, hpn);
    }
  }
}

/**
 * The same timestep backwards:  ∂a_n = ∂h ⊙ (1 − z) ⊙ (1 − n²)   ∂a_r = ∂a_n ⊙ hpN ⊙ r(1 − r)
 * ∂a_z = ∂h ⊙ (h_prev − n) ⊙ z(1 − z); ∂xp = (∂a_r, ∂a_z, ∂a_n), ∂hp = (∂a_r, ∂a_z, ∂a_n ⊙ r)
 * and the direct part of ∂h_prev, ∂h ⊙ z. dh, hPrev, hpN, dhPrevDirect [B, H]; acts, dxp, dhp [B, 3H].
 */
export function gruGatesBackward(dh: usize, acts: usize, hpN: usize, hPrev: usize, dxp: usize, dhp: usize, dhPrevDirect: usize, B: i32, H: i32): void {
  const gateBytes = (<usize>H) << 2;
  const one = f32x4.splat(1);
  for (let r = 0; r < B; r++) {
    const row3 = (<usize>(r * 3 * H)) << 2;
    const row1 = (<usize>(r * H)) << 2;
    for (let j = 0; j < H; j += 4) {
      const o = (<usize>j) << 2;
      const o1 = row1 + o;
      const gr = row3 + o;
      const gz = gr + gateBytes;
      const gn = gz + gateBytes;
      const rv = v128.load(acts + gr);
      const zv = v128.load(acts + gz);
      const nv = v128.load(acts + gn);
      const dhv = v128.load(dh + o1);
      const dan = f32x4.mul(f32x4.mul(dhv, f32x4.sub(one, zv)), f32x4.sub(one, f32x4.mul(nv, nv)));
      const dar = f32x4.mul(f32x4.mul(dan, v128.load(hpN + o1)), f32x4.mul(rv, f32x4.sub(one, rv)));
      const daz = f32x4.mul(f32x4.mul(dhv, f32x4.sub(v128.load(hPrev + o1), nv)), f32x4.mul(zv, f32x4.sub(one, zv)));
      v128.store(dxp + gr, dar);
      v128.store(dxp + gz, daz);
      v128.store(dxp + gn, dan);
      v128.store(dhp + gr, dar);
      v128.store(dhp + gz, daz);
      v128.store(dhp + gn, f32x4.mul(dan, rv));
      v128.store(dhPrevDirect + o1, f32x4.mul(dhv, zv));
    }
  }
}
