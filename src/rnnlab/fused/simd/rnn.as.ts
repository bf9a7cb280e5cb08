// AssemblyScript, compiled with gemm.as.ts into one WebAssembly module (see package.json),
// loaded by ../wasm-kernels.ts.
//
// The vanilla RNN's whole time loop, forwards and backwards, so that a small RNN's step does
// not cross from JavaScript into WebAssembly and back twice per timestep. The arithmetic is
// exactly that of rnnKernel in ../cell-kernels.ts (sums in f64, the same tanh), so both give
// the same numbers. Rows are time-major, r = t·B + b; all arrays are f32.
import { gemm } from "./gemm.as";

/** tanh as in ../activations.ts: a rational minimax approximation, within 3e-8. */
// @ts-ignore: AssemblyScript decorator
@inline
function tanh(x: f64): f64 {
  if (x > 9) x = 9;
  else if (x < -9) x = -9;
  const x2 = x * x;
  let p = -2.76076847742355e-16;
  p = p * x2 + 2.00018790482477e-13;
  p = p * x2 - 8.60467152213735e-11;
  p = p * x2 + 5.12229709037114e-8;
  p = p * x2 + 1.48572235717979e-5;
  p = p * x2 + 6.37261928875436e-4;
  p = p * x2 + 4.89352455891786e-3;
  let q = 1.19825839466702e-6;
  q = q * x2 + 1.18534705686654e-4;
  q = q * x2 + 2.268434632439e-3;
  q = q * x2 + 4.89352518554385e-3;
  return (x * p) / q;
}

/**
 *   h_t = act(xp_t + h_{t−1}·W_hhᵀ + b)      act = tanh, or relu when `relu`
 * xp [T·B, H] = x_t·W_ihᵀ for every t; b [H] = b_ih + b_hh; whhT [H, H] = W_hhᵀ; h0 [B, H];
 * y [T·B, H] receives h_t; hp [B, H] is scratch. `reverse` walks t = T−1 … 0.
 */
export function rnnForward(y: usize, xp: usize, b: usize, whhT: usize, h0: usize, hp: usize, T: i32, B: i32, H: i32, reverse: i32, relu: i32): void {
  let hPrev = h0;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const row = (<usize>(t * B * H)) << 2;
    gemm(hp, hPrev, whhT, B, H, H, H, 1, 0);
    for (let r = 0; r < B; r++) {
      for (let j = 0; j < H; j++) {
        const i = (<usize>(r * H + j)) << 2;
        const a = <f64>load<f32>(xp + row + i) + <f64>load<f32>(hp + i) + <f64>load<f32>(b + ((<usize>j) << 2));
        store<f32>(y + row + i, <f32>(relu ? (a > 0 ? a : 0) : tanh(a)));
      }
    }
    hPrev = y + row;
  }
}

/**
 * Backpropagation through time over rnnForward's outputs y:
 *   ∂a_t = (∂y_t + ∂h_t) ⊙ act′         (act′ = 1 − h_t², or [h_t > 0] for relu)
 *   ∂h_{t−1} = ∂a_t·W_hh
 * dy [T·B, H] = ∂L/∂output; whh [H, H] = W_hh as stored; dh [B, H] comes in as ∂L/∂h_T (the
 * gradient of the final state) and leaves as ∂L/∂h0; dxp [T·B, H] receives every ∂a_t.
 */
export function rnnBackward(dxp: usize, dy: usize, y: usize, whh: usize, dh: usize, T: i32, B: i32, H: i32, reverse: i32, relu: i32): void {
  const n = B * H;
  for (let s = 0; s < T; s++) {
    const t = reverse ? s : T - 1 - s;
    const row = (<usize>(t * n)) << 2;
    for (let k = 0; k < n; k++) {
      const i = (<usize>k) << 2;
      // Rounded to f32 as the JavaScript kernel stores it, so both give the same numbers.
      const g = <f64><f32>(<f64>load<f32>(dy + row + i) + <f64>load<f32>(dh + i));
      const v = <f64>load<f32>(y + row + i);
      store<f32>(dxp + row + i, <f32>(relu ? (v > 0 ? g : 0) : g * (1 - v * v)));
    }
    gemm(dh, dxp + row, whh, B, H, H, H, 1, 0);
  }
}

// The build compiles this file and gemm.as.ts as its entry files (package.json); the LSTM's
// gate step lives in its own file and reaches the module's exports through this line.
export { lstmBackward, lstmForward, lstmGatesBackward, lstmGatesForward } from "./lstm.as";
export { gruGatesBackward, gruGatesForward } from "./gru.as";
export { gruRbStepBackward, gruRbStepForward } from "./gru-reset-before.as";
