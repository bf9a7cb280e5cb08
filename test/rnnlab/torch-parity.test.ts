import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { GRU, LSTM, RNN, ready } from "../../src/rnnlab";
import type { RecurrentBase } from "../../src/rnnlab/layers/recurrent";
import { maxAbsDiff, maxRelDiff } from "./helpers";
import { randomArray, randomStateDict, torchForward, type Kind } from "./torch-reference";

beforeAll(async () => {
  await ready();
});

function make(kind: Kind, I: number, H: number, numLayers: number, bidirectional: boolean, impl: "fused" | "reference" = "fused"): RecurrentBase {
  const o = { inputSize: I, hiddenSize: H, numLayers, bidirectional, impl };
  if (kind === "lstm") return new LSTM(o);
  if (kind === "gru") return new GRU(o);
  return new RNN({ ...o, nonlinearity: kind === "rnn_relu" ? "relu" : "tanh" });
}

const cases: [Kind, number, boolean][] = [
  ["lstm", 1, false], ["lstm", 2, true], ["lstm", 3, false],
  ["gru", 1, false], ["gru", 2, true],
  ["rnn_tanh", 2, true], ["rnn_relu", 1, false],
];

describe.each(cases)("%s, numLayers %i, bidirectional %s, against PyTorch's equations", (kind, L, bi) => {
  const [T, B, I, H] = [7, 3, 4, 5];
  const D = bi ? 2 : 1;
  const sd = randomStateDict(kind, I, H, L, bi, 11);
  const x = randomArray([T, B, I], 1);
  const h0 = randomArray([L * D, B, H], 2);
  const c0 = kind === "lstm" ? randomArray([L * D, B, H], 3) : undefined;
  const expected = torchForward(kind, sd, L, bi, x, h0, c0);

  for (const impl of ["fused", "reference"] as const) {
    it(`${impl}: a PyTorch-layout state dict loads and the forward pass matches within 1e-5`, () => {
      const m = make(kind, I, H, L, bi, impl);
      expect(Object.keys(m.stateDict()).sort()).toEqual(Object.keys(sd).sort());
      m.loadStateDict(sd);
      const state = c0 ? { h: tf.tensor3d(h0), c: tf.tensor3d(c0) } : { h: tf.tensor3d(h0) };
      const r = m.forward(tf.tensor3d(x), state);
      expect(r.output.shape).toEqual([T, B, D * H]);
      expect(r.h.shape).toEqual([L * D, B, H]);
      expect(maxAbsDiff(r.output, expected.output)).toBeLessThan(1e-5);
      expect(maxAbsDiff(r.h, expected.h)).toBeLessThan(1e-5);
      if (c0) expect(maxAbsDiff(r.c!, expected.c!)).toBeLessThan(1e-5);
    });
  }

  it("gradients match central finite differences of the float64 reference", () => {
    // L = Σ output ⊙ W + Σ h², differentiated with respect to every weight.
    const wOut = randomArray([T, B, D * H], 5);
    const lossOf = (sdx: typeof sd) => {
      const r = torchForward(kind, sdx, L, bi, x, h0, c0);
      let l = 0;
      r.output.forEach((yt, t) => yt.forEach((yb, b) => yb.forEach((v, j) => (l += v * wOut[t][b][j]))));
      r.h.forEach((hb) => hb.forEach((row) => row.forEach((v) => (l += v * v))));
      return l;
    };
    for (const impl of ["fused", "reference"] as const) {
      const m = make(kind, I, H, L, bi, impl);
      m.loadStateDict(sd);
      const state = c0 ? { h: tf.tensor3d(h0), c: tf.tensor3d(c0) } : { h: tf.tensor3d(h0) };
      const { grads } = m.gradients(() => {
        const r = m.forward(tf.tensor3d(x), state);
        return tf.add(tf.sum(tf.mul(r.output, tf.tensor3d(wOut))), tf.sum(tf.square(r.h))) as tf.Scalar;
      });
      expect(Object.keys(grads).sort()).toEqual(Object.keys(sd).sort());
      for (const name of Object.keys(sd)) {
        const analytic = grads[name];
        const flat = (sd[name] as (number | number[])[]).flat() as number[];
        const fd = flat.map((_, k) => {
          const eps = 1e-6;
          const bump = (delta: number) => {
            const copy = structuredClone(sd);
            const arr = copy[name] as (number | number[])[];
            if (Array.isArray(arr[0])) {
              const cols = (arr[0] as number[]).length;
              (arr[Math.floor(k / cols)] as number[])[k % cols] += delta;
            } else (arr as number[])[k] += delta;
            return lossOf(copy);
          };
          return (bump(eps) - bump(-eps)) / (2 * eps);
        });
        expect(maxRelDiff(analytic, tf.tensor(fd, analytic.shape)), `${impl} ${name}`).toBeLessThan(1e-4);
      }
    }
  });
});
