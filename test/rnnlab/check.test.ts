import * as tf from "@tensorflow/tfjs-core";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { check, CheckError, ready } from "../../src/rnnlab";

beforeAll(async () => {
  await ready();
});

let lines: string[] = [];
const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
afterEach(() => {
  lines = [];
});

function failsWith(fn: () => void, text: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CheckError);
  expect((err as Error).name).toBe("CheckError");
  expect((err as Error).message).toMatch(text);
  expect(lines.at(-1)).toMatch(/^✘ /);
}

describe("check: one line each, ✔ or ✘, and a CheckError on failure", () => {
  it("close: tensors, arrays and numbers within atol, with the worst mismatch located", () => {
    check.close(tf.tensor2d([[1, 2], [3, 4]]), [[1, 2], [3, 4.000001]]);
    expect(lines.at(-1)).toMatch(/^✔ \[2, 2\] values match within atol 1e-5/);
    failsWith(() => check.close(tf.tensor2d([[1, 2], [3, 4]]), [[1, 2], [3.5, 4]], { atol: 1e-3 }), /expected 3.5 at \[1, 0\], got 3 \(\|Δ\| 0.5 > atol 0.001\)/);
    failsWith(() => check.close([1, 2, 3], [1, 2]), /expected shape \[2\], got \[3\]/);
    failsWith(() => check.close(NaN, 1), /expected 1, got NaN/);
    check.close(Float32Array.from([0.5]), 0.5000001 as never, { atol: 1e-6 } as never);
    failsWith(() => check.close("x" as never, 1), /actual: expected numbers, an array or a tensor, got "x"/);
  });
  it("shape, equal, throws, true", () => {
    check.shape(tf.zeros([2, 3]), [2, 3]);
    expect(lines.at(-1)).toBe("✔ shape [2, 3]");
    failsWith(() => check.shape(tf.zeros([3, 2]), [2, 3], "h"), /h: expected shape \[2, 3\], got \[3, 2\]/);
    check.equal([1, "a", { b: [2] }], [1, "a", { b: [2] }]);
    failsWith(() => check.equal({ a: 1 }, { a: 2 }), /expected \{"a":2\}, got \{"a":1\}/);
    check.throws(() => { throw new RangeError("inputSize: bad"); }, /inputSize/);
    failsWith(() => check.throws(() => 1), /expected an error to be thrown, got none/);
    failsWith(() => check.throws(() => { throw new Error("other"); }, "inputSize"), /expected an error matching inputSize, got Error: other/);
    check.true(1 < 2, "one is less than two");
    expect(lines.at(-1)).toBe("✔ one is less than two");
    failsWith(() => check.true(false, "loss below 0.1"), /^expected loss below 0.1$/);
  });
});
void log;
