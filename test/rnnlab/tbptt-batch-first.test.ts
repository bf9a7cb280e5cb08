/** trainTBPTT walks time on the axis the module reads it from: axis 1 for batchFirst. */
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { LSTM, Linear, Module, manualSeed, mse, ready, trainTBPTT } from "../../src/rnnlab";
import { maxAbsDiff, randn } from "./helpers";

beforeAll(async () => {
  await ready();
});

function setup(batchFirst: boolean) {
  manualSeed(11);
  const lstm = new LSTM({ inputSize: 1, hiddenSize: 3, batchFirst });
  return lstm;
}

describe("trainTBPTT and batchFirst", () => {
  it("batch-first (4, 300, 1) in chunks of 50 runs 6 chunks, each of 50 steps, like the same data time-major", () => {
    const seen: number[][] = [];
    const run = (batchFirst: boolean, x: tf.Tensor, y: tf.Tensor) => {
      const lstm = setup(batchFirst);
      const lengths: number[] = [];
      const r = trainTBPTT({
        module: lstm,
        optimizer: tf.train.sgd(0.1),
        inputs: x,
        targets: y,
        chunkLength: 50,
        forward: (xc, yc, state) => {
          lengths.push(xc.shape[batchFirst ? 1 : 0]);
          expect(xc.shape[batchFirst ? 0 : 1]).toBe(4);
          const out = lstm.forward(xc, state && [state.h as tf.Tensor3D, state.c as tf.Tensor3D]);
          return { loss: mse(out.output, yc), state: { h: out.h, c: out.c } };
        },
      });
      seen.push(lengths);
      return r;
    };
    const xT = randn([300, 4, 1], 1);
    const yT = randn([300, 4, 3], 2);
    const tm = run(false, xT, yT);
    const bf = run(true, tf.transpose(xT, [1, 0, 2]), tf.transpose(yT, [1, 0, 2]));
    expect(seen[1]).toEqual([50, 50, 50, 50, 50, 50]);
    expect(bf.losses.length).toBe(6);
    for (let i = 0; i < 6; i++) expect(bf.losses[i]).toBeCloseTo(tm.losses[i], 5);
    expect(maxAbsDiff(bf.state!.h, tm.state!.h)).toBeLessThan(1e-5);
  });

  it("an explicit batchFirst option wins, and a module that does not say needs one", () => {
    manualSeed(12);
    const head = new Linear(2, 1);
    const lengths: number[] = [];
    trainTBPTT({
      module: head, optimizer: tf.train.sgd(0.1), inputs: randn([3, 40, 2], 1), targets: randn([3, 40, 1], 2), chunkLength: 10, batchFirst: true,
      forward: (xc, yc) => {
        lengths.push(xc.shape[1]);
        return { loss: mse(head.forward(xc), yc), state: undefined };
      },
    });
    expect(lengths).toEqual([10, 10, 10, 10]);
  });

  it("inputs and targets with different lengths on the time axis are an error naming targets and the axis", () => {
    const lstm = setup(true);
    expect(() =>
      trainTBPTT({
        module: lstm, optimizer: tf.train.sgd(0.1), inputs: randn([4, 30, 1], 1), targets: randn([4, 20, 3], 2), chunkLength: 10,
        forward: () => { throw new Error("not reached"); },
      }),
    ).toThrow(/trainTBPTT: targets: expected the same length on axis 1 \(time, batchFirst\) as inputs, got inputs a tensor of shape \[4, 30, 1\] and targets a tensor of shape \[4, 20, 3\]/);
    expect(() =>
      trainTBPTT({
        module: lstm, optimizer: tf.train.sgd(0.1), inputs: randn([4, 30, 1], 1), targets: randn([4, 30, 3], 2), chunkLength: 10, batchFirst: "yes" as never,
        forward: () => { throw new Error("not reached"); },
      }),
    ).toThrow(/trainTBPTT: batchFirst: expected true or false, got "yes"/);
  });

  it("a module whose sub-modules disagree on batchFirst needs the option", () => {
    class Two extends Module {
      a = this.registerModule("a", new LSTM({ inputSize: 1, hiddenSize: 2, batchFirst: true }));
      b = this.registerModule("b", new LSTM({ inputSize: 2, hiddenSize: 2 }));
      constructor() { super("Two"); }
      describe() { return "Two"; }
    }
    expect(() =>
      trainTBPTT({
        module: new Two(), optimizer: tf.train.sgd(0.1), inputs: randn([4, 30, 1], 1), targets: randn([4, 30, 2], 2), chunkLength: 10,
        forward: () => { throw new Error("not reached"); },
      }),
    ).toThrow(/trainTBPTT: batchFirst: the module's recurrent layers disagree \(a: true, b: false\); pass batchFirst/);
  });
});
