import { expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { plot } from "./plot-under-test";

it("accepts real tfjs tensors (via arraySync) and describes wrong ranks", async () => {
  await tf.setBackend("cpu");
  // As rnnlab does for learners: no "install tfjs-node" banner in the test log.
  (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  const states = tf.tensor2d([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]); // T×H = 2×3
  expect(plot.heatmap(states, { transpose: true }).summary).toBe("Heatmap: 3 × 2 (transposed), values -0.6…0.5");
  expect(plot.line(tf.tensor1d([3, 2, 1])).summary).toMatch(/1 series × 3 points/);
  expect(plot.hiddenStateExplorer({ tokens: ["a", "b"], states }).summary).toMatch(/2 tokens × 3 units/);
  expect(plot.textHeat("ab", tf.tensor1d([0.5, -0.5])).text).toMatch(/^TextHeat: 2 chars/);
  expect(() => plot.heatmap(tf.zeros([2, 2, 2]))).toThrow(/plot\.heatmap: values: expected a 2-D matrix .*got a 3-D tensor of shape \[2, 2, 2\]/);
  expect(() => plot.bar(tf.zeros([2, 2]))).toThrow(/plot\.bar: values: expected numbers .*got a 2-D tensor of shape \[2, 2\]/);
  tf.dispose([states]);
});
