import { describe, expect, it } from "vitest";
import { CharVocab, addingProblem, copyTask, humanDates, loadBirths, loadCO2, loadNames, noisySines } from "../../src/rnnlab/data";

describe("shipped datasets", () => {
  it("names, CO2 and births load with the sizes stated in datasets/README.md", () => {
    expect(loadNames("female")).toHaveLength(4951);
    expect(loadNames("male")).toHaveLength(3898);
    expect(loadNames("female")[0]).toBe("Aaren");
    const co2 = loadCO2();
    expect(co2.values).toHaveLength(741);
    expect(co2.dates[0]).toBe("1958-03-01");
    expect(co2.values[0]).toBeCloseTo(315.7, 6);
    expect(co2.values.every((v) => v > 300 && v < 420)).toBe(true);
    const births = loadBirths();
    expect(births.births).toHaveLength(5479);
    expect(births.dates[0]).toBe("2000-01-01");
    expect(births.births[0]).toBe(9083);
  });
  it("a bad name list is a clear error", () => {
    expect(() => loadNames("other" as never)).toThrow('loadNames: which: expected "female" or "male", got "other".');
  });
});

describe("generated tasks are seeded and well-formed", () => {
  it("adding problem: two markers, one per half; target is their sum", () => {
    const { inputs, targets } = addingProblem(50, 20, 1);
    inputs.forEach((seq, b) => {
      const marked = seq.map((s, t) => [s, t] as const).filter(([s]) => s[1] === 1);
      expect(marked).toHaveLength(2);
      expect(marked[0][1]).toBeLessThan(10);
      expect(marked[1][1]).toBeGreaterThanOrEqual(10);
      expect(targets[b]).toBeCloseTo(marked[0][0][0] + marked[1][0][0], 12);
    });
    expect(addingProblem(3, 20, 1)).toEqual(addingProblem(3, 20, 1));
    expect(addingProblem(3, 20, 2)).not.toEqual(addingProblem(3, 20, 1));
  });
  it("copy task reproduces the symbols after the go marker", () => {
    const { inputs, targets, vocabSize } = copyTask(4, 3, 5, 8, 2);
    expect(vocabSize).toBe(10);
    for (let b = 0; b < 4; b++) {
      expect(inputs[b]).toHaveLength(11);
      expect(inputs[b][8]).toBe(9);
      expect(targets[b].slice(8)).toEqual(inputs[b].slice(0, 3));
    }
  });
  it("human dates round-trip to their ISO form", () => {
    const pairs = humanDates(200, 3);
    expect(new Set(pairs.map((p) => p.locale)).size).toBeGreaterThan(5);
    for (const p of pairs) expect(p.iso).toMatch(/^(19[5-9]\d|20[0-4]\d)-\d\d-\d\d$/);
    expect(pairs.find((p) => p.locale === "en-US" && /\d{4}/.test(p.human))!.human).toContain(pairs.find((p) => p.locale === "en-US" && /\d{4}/.test(p.human))!.iso.slice(0, 4));
    expect(humanDates(5, 3)).toEqual(humanDates(5, 3));
  });
  it("noisy sines: the clean signal is within the noise of the noisy one", () => {
    const { noisy, clean } = noisySines(2, 100, { noise: 0.1, seed: 4 });
    const err = noisy[0].map((v, t) => v - clean[0][t]);
    const sd = Math.sqrt(err.reduce((s, e) => s + e * e, 0) / err.length);
    expect(sd).toBeGreaterThan(0.05);
    expect(sd).toBeLessThan(0.15);
  });
  it("CharVocab encodes, decodes, pads, and names unknown characters", () => {
    const v = new CharVocab(["abc", "ca"]);
    expect(v.tokens).toEqual(["<pad>", "a", "b", "c"]);
    expect(v.decode(v.encode("cab"))).toBe("cab");
    expect(v.encodeBatch(["ab", "c"])).toEqual([[1, 2], [3, 0]]);
    expect(v.decode([1, 0], { skip: ["<pad>"] })).toBe("a");
    expect(() => v.encode("z")).toThrow('CharVocab.id: token: "z" is not in the vocabulary of 4 tokens.');
  });
});
