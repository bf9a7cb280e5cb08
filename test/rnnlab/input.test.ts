/** input() outside the kernel (course runner, grader, a script): a clear error at once, never a hang. */
import { describe, expect, it } from "vitest";
import { input, StdinNotImplementedError } from "../../src/rnnlab";

describe("input", () => {
  it("fails at once, naming why, where no front end can answer", async () => {
    await expect(input("name? ")).rejects.toThrow(StdinNotImplementedError);
    await expect(input("name? ")).rejects.toThrow(/without a Jupyter front end/);
  });

  it("names the argument when the prompt is not a string", async () => {
    await expect(input(42 as unknown as string)).rejects.toThrow(/input: prompt: expected a string, got 42/);
  });
});
