/** An interrupt stops tfjs work at the next op with an ordinary error, leaving tfjs usable. */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { beforeAll, describe, expect, it } from "vitest";
import { resetTfjs } from "../../src/runner/tfjs-reset";
import { stopTfjsOpsWhen } from "../../src/runner/tfjs-stop";

let stop = false;

beforeAll(async () => {
  await tf.setBackend("cpu");
  stopTfjsOpsWhen(() => stop);
});

describe("stopTfjsOpsWhen", () => {
  it("makes the next op inside a gradient throw, and tfjs cleans up as for any error", () => {
    const w = tf.variable(tf.scalar(3));
    const before = tf.memory().numTensors;
    let ops = 0;
    const loss = () => {
      let y = tf.square(w);
      for (let i = 0; i < 5; i++) {
        if (++ops === 3) stop = true;
        y = tf.add(y, 1);
      }
      return y as tf.Scalar;
    };
    expect(() => tf.variableGrads(loss, [w])).toThrow("the cell was interrupted");
    stop = false;
    // As after any failed cell: the engine drops the tape's saved tensors (tfjs keeps them on a throw).
    resetTfjs(undefined);
    expect(tf.memory().numTensors).toBe(before);
    const { value, grads } = tf.variableGrads(() => tf.square(w) as tf.Scalar, [w]);
    expect(grads[w.name].dataSync()[0]).toBeCloseTo(6);
    tf.dispose([value, ...Object.values(grads), w]);
  });

  it("leaves ops alone while no interrupt is asked for", () => {
    expect(tf.add(tf.scalar(1), 2).dataSync()[0]).toBe(3);
  });
});
