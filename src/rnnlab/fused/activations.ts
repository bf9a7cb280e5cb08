/**
 * tanh and σ for the fused kernels' inner loops.
 *
 * Math.tanh costs about 22 ns in V8; an LSTM step evaluates five nonlinearities per unit, so
 * it dominated the forward pass. This is a minimax rational approximation p(x)/q(x) (odd
 * degree 13 over even degree 6, the form used by float32 math libraries), clamped at |x| = 9
 * where tanh is 1 to float32 precision. About 5 ns, and within 3e-8 of Math.tanh everywhere
 * (test/rnnlab/activations.test.ts), far below float32's own rounding.
 *   σ(x) = ½ + ½·tanh(x/2)   exactly, so σ inherits the same accuracy.
 * simd/rnn.as.ts carries the same polynomial for the RNN's WebAssembly loop: change both
 * together (test/rnnlab/rnn-wasm-loop.test.ts holds them to the same numbers).
 */
export function tanh(x: number): number {
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

export function sigmoid(x: number): number {
  return 0.5 + 0.5 * tanh(0.5 * x);
}
