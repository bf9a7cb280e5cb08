import { describe, expect, it } from "vitest";
import { sigmoid, tanh } from "../../src/rnnlab/fused/activations";

describe("fast activations of the fused kernels", () => {
  it("tanh is within 3e-8 of Math.tanh over [-20, 20]", () => {
    let worst = 0;
    for (let x = -20; x <= 20; x += 1e-3) worst = Math.max(worst, Math.abs(tanh(x) - Math.tanh(x)));
    expect(worst).toBeLessThan(3e-8);
  });
  it("sigmoid is within 3e-8 of 1/(1+e^-x), and odd-symmetric about 1/2", () => {
    let worst = 0;
    for (let x = -30; x <= 30; x += 1e-3) {
      worst = Math.max(worst, Math.abs(sigmoid(x) - 1 / (1 + Math.exp(-x))));
      expect(sigmoid(x) + sigmoid(-x)).toBeCloseTo(1, 12);
    }
    expect(worst).toBeLessThan(3e-8);
  });
});
