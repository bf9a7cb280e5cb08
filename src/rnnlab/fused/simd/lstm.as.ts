// AssemblyScript, compiled into the one WebAssembly module of ../wasm-kernels.ts (re-exported
// by rnn.as.ts, an entry file of the build).
//
// The LSTM's gates for one timestep, forwards and backwards, four units at a time in f32x4
// lanes. Five nonlinearities per unit made the JavaScript loop the largest cost of the forward
// pass after the products (about 5 ms of an M-size forward here). Same equations as lstmKernel in ../cell-kernels.ts,
// in f32 instead of f64: the two agree to float32 rounding (test/rnnlab/lstm-wasm-cells.test.ts).
// Rows are one timestep's B rows; H is a multiple of 4.
import { gemm } from "./gemm.as";

/** tanh as in ../activations.ts (the same rational approximation, clamped at ±9), on four lanes. */
// @ts-ignore: AssemblyScript decorator
@inline
export function tanh4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-9)), f32x4.splat(9));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(<f32>-2.76076847742355e-16);
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(<f32>2.00018790482477e-13));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(<f32>-8.60467152213735e-11));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(<f32>5.12229709037114e-8));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(<f32>1.48572235717979e-5));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(<f32>6.37261928875436e-4));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(<f32>4.89352455891786e-3));
  let q = f32x4.splat(<f32>1.19825839466702e-6);
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(<f32>1.18534705686654e-4));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(<f32>2.268434632439e-3));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(<f32>4.89352518554385e-3));
  return f32x4.div(f32x4.mul(x, p), q);
}

/** σ(x) = ½ + ½·tanh(x/2), as in ../activations.ts. */
// @ts-ignore: AssemblyScript decorator
@inline
export function sigmoid4(x: v128): v128 {
  const half = f32x4.splat(0.5);
  return f32x4.add(half, f32x4.mul(half, tanh4(f32x4.mul(half, x))));
}

/**
 * One timestep, gates i, f, g, o:  a = xp + hp + b;  c = σ(a_f)⊙c_prev + σ(a_i)⊙tanh(a_g);
 * h = σ(a_o)⊙tanh(c). xp, hp, acts [B, 4H]; b [4H]; cPrev, h, c, tanhC [B, H].
 * acts receives the four activations and tanhC tanh(c), the tape backward reads.
 */
export function lstmGatesForward(xp: usize, hp: usize, b: usize, cPrev: usize, h: usize, c: usize, acts: usize, tanhC: usize, B: i32, H: i32): void {
  const gateBytes = (<usize>H) << 2;
  for (let r = 0; r < B; r++) {
    const row4 = (<usize>(r * 4 * H)) << 2;
    const row1 = (<usize>(r * H)) << 2;
    for (let j = 0; j < H; j += 4) {
      const o = (<usize>j) << 2;
      const gi = row4 + o;
      const gf = gi + gateBytes;
      const gg = gf + gateBytes;
      const go = gg + gateBytes;
      const i = sigmoid4(f32x4.add(f32x4.add(v128.load(xp + gi), v128.load(hp + gi)), v128.load(b + o)));
      const f = sigmoid4(f32x4.add(f32x4.add(v128.load(xp + gf), v128.load(hp + gf)), v128.load(b + gateBytes + o)));
      const g = tanh4(f32x4.add(f32x4.add(v128.load(xp + gg), v128.load(hp + gg)), v128.load(b + 2 * gateBytes + o)));
      const out = sigmoid4(f32x4.add(f32x4.add(v128.load(xp + go), v128.load(hp + go)), v128.load(b + 3 * gateBytes + o)));
      const ct = f32x4.add(f32x4.mul(f, v128.load(cPrev + row1 + o)), f32x4.mul(i, g));
      const tc = tanh4(ct);
      v128.store(c + row1 + o, ct);
      v128.store(tanhC + row1 + o, tc);
      v128.store(h + row1 + o, f32x4.mul(out, tc));
      v128.store(acts + gi, i);
      v128.store(acts + gf, f);
      v128.store(acts + gg, g);
      v128.store(acts + go, out);
    }
  }
}

/**
 * The same timestep backwards, from the tape lstmGatesForward wrote:
 *   ∂c = ∂c_next + ∂h ⊙ o ⊙ (1 − tanh²c)
 *   ∂a_i = ∂c ⊙ g ⊙ i(1 − i)   ∂a_f = ∂c ⊙ c_prev ⊙ f(1 − f)   ∂a_g = ∂c ⊙ i ⊙ (1 − g²)
 *   ∂a_o = ∂h ⊙ tanh c ⊙ o(1 − o)            and ∂c_prev = ∂c ⊙ f
 * dh, cPrev, tanhC [B, H]; acts, dxp [B, 4H]; dc [B, H] comes in as ∂L/∂c_t, leaves as ∂L/∂c_{t−1}.
 */
export function lstmGatesBackward(dh: usize, dc: usize, acts: usize, cPrev: usize, tanhC: usize, dxp: usize, B: i32, H: i32): void {
  const gateBytes = (<usize>H) << 2;
  const one = f32x4.splat(1);
  for (let r = 0; r < B; r++) {
    const row4 = (<usize>(r * 4 * H)) << 2;
    const row1 = (<usize>(r * H)) << 2;
    for (let j = 0; j < H; j += 4) {
      const o1 = row1 + ((<usize>j) << 2);
      const gi = row4 + ((<usize>j) << 2);
      const gf = gi + gateBytes;
      const gg = gf + gateBytes;
      const go = gg + gateBytes;
      const i = v128.load(acts + gi);
      const f = v128.load(acts + gf);
      const g = v128.load(acts + gg);
      const o = v128.load(acts + go);
      const tc = v128.load(tanhC + o1);
      const dhv = v128.load(dh + o1);
      const dct = f32x4.add(v128.load(dc + o1), f32x4.mul(f32x4.mul(dhv, o), f32x4.sub(one, f32x4.mul(tc, tc))));
      v128.store(dxp + gi, f32x4.mul(f32x4.mul(dct, g), f32x4.mul(i, f32x4.sub(one, i))));
      v128.store(dxp + gf, f32x4.mul(f32x4.mul(dct, v128.load(cPrev + o1)), f32x4.mul(f, f32x4.sub(one, f))));
      v128.store(dxp + gg, f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(g, g))));
      v128.store(dxp + go, f32x4.mul(f32x4.mul(dhv, tc), f32x4.mul(o, f32x4.sub(one, o))));
      v128.store(dc + o1, f32x4.mul(dct, f));
    }
  }
}

/**
 * The whole forward time loop: per step hp = h_{t−1}·W_hhᵀ (gemm) and the gates above, so a
 * sequence crosses from JavaScript into WebAssembly once instead of twice per timestep, with no
 * per-step copies or allocations (at B 32, H 128 those took about a fifth of a training step).
 * xp [T·B, 4H]; b [4H] = b_ih + b_hh; whhT [H, 4H]; h0, c0 [B, H]; y [T·B, H] receives h_t.
 * The tape: acts [·, 4H], cPrevs and tanhCs [·, H] at row t·B when `record`, else at row 0
 * (one step's scratch). c [B, H] receives c_T; hp [B, 4H] is scratch.
 */
export function lstmForward(
  y: usize, xp: usize, b: usize, whhT: usize, h0: usize, c0: usize, c: usize, hp: usize,
  acts: usize, cPrevs: usize, tanhCs: usize, T: i32, B: i32, H: i32, reverse: i32, record: i32,
): void {
  const stateBytes = (<usize>(B * H)) << 2;
  let hPrev = h0;
  memory.copy(c, c0, stateBytes);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const row1 = (<usize>(t * B * H)) << 2;
    const tape1 = record ? row1 : 0;
    const tape4 = tape1 << 2;
    gemm(hp, hPrev, whhT, B, H, 4 * H, H, 1, 0);
    memory.copy(cPrevs + tape1, c, stateBytes);
    lstmGatesForward(xp + (row1 << 2), hp, b, cPrevs + tape1, y + row1, c, acts + tape4, tanhCs + tape1, B, H);
    hPrev = y + row1;
  }
}

/**
 * Backpropagation through time over lstmForward's tape: per step the gates backwards, then
 * ∂h_{t−1} = ∂a_t·W_hh (an LSTM's h_{t−1} reaches the loss only through W_hh).
 * dy [T·B, H] = ∂L/∂output; whh [4H, H] as stored; dh, dc [B, H] come in as ∂L/∂h_T, ∂L/∂c_T
 * and leave as ∂L/∂h0, ∂L/∂c0; dxp [T·B, 4H] receives every ∂a_t; g [B, H] is scratch.
 */
export function lstmBackward(
  dxp: usize, dy: usize, acts: usize, cPrevs: usize, tanhCs: usize, whh: usize, dh: usize, dc: usize, g: usize,
  T: i32, B: i32, H: i32, reverse: i32,
): void {
  const n = B * H;
  for (let s = 0; s < T; s++) {
    const t = reverse ? s : T - 1 - s;
    const row1 = (<usize>(t * n)) << 2;
    for (let k = 0; k < n; k += 4) {
      const i = (<usize>k) << 2;
      v128.store(g + i, f32x4.add(v128.load(dy + row1 + i), v128.load(dh + i)));
    }
    lstmGatesBackward(g, dc, acts + (row1 << 2), cPrevs + row1, tanhCs + row1, dxp + (row1 << 2), B, H);
    gemm(dh, dxp + (row1 << 2), whh, B, 4 * H, H, 4 * H, 1, 0);
  }
}
