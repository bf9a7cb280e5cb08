import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { CharVocab, allNames, nextCharBatch, recallBatch, shuffled } from "../../src/rnnlab/data";
import { Generator } from "../../src/rnnlab/random";

describe("recallBatch", () => {
  it("marks the first step, one-hots every step, and targets the first symbol", () => {
    const { x, y } = recallBatch(6, 5, 3);
    expect(x.shape).toEqual([6, 5, 5]);
    expect(y.dtype).toBe("int32");
    const xs = x.arraySync();
    const ys = y.arraySync();
    xs.forEach((seq, b) => {
      seq.forEach((step, t) => {
        expect(step.slice(0, 4).reduce((s, v) => s + v, 0)).toBe(1);
        expect(step[4]).toBe(t === 0 ? 1 : 0);
      });
      expect(seq[0].indexOf(1)).toBe(ys[b]);
    });
    tf.dispose([x, y]);
  });
  it("draws the symbols in the course's order (first symbol, then one per later step)", () => {
    // The notebooks' asserted accuracies depend on this order: the same draws by hand.
    const g = new Generator(9);
    const expected: number[][] = [];
    for (let b = 0; b < 3; b++) {
      const first = g.int(4);
      expected.push([first, ...Array.from({ length: 3 }, () => g.int(4))]);
    }
    const { x, y } = recallBatch(3, 4, 9);
    const symbols = x.arraySync().map((seq) => seq.map((step) => step.slice(0, 4).indexOf(1)));
    expect(symbols).toEqual(expected);
    expect(y.arraySync()).toEqual(expected.map((e) => e[0]));
    tf.dispose([x, y]);
  });
  it("same seed, same batch; another seed, another batch", () => {
    const a = recallBatch(8, 6, 1), b = recallBatch(8, 6, 1), c = recallBatch(8, 6, 2);
    expect(a.x.arraySync()).toEqual(b.x.arraySync());
    expect(a.x.arraySync()).not.toEqual(c.x.arraySync());
    tf.dispose([a.x, a.y, b.x, b.y, c.x, c.y]);
  });
  it("other alphabet sizes", () => {
    const { x, y } = recallBatch(2, 3, 0, 7);
    expect(x.shape).toEqual([2, 3, 8]);
    expect(Math.max(...y.arraySync())).toBeLessThan(7);
    tf.dispose([x, y]);
  });
  it("bad arguments are errors naming the argument", () => {
    expect(() => recallBatch(0, 5, 1)).toThrow("recallBatch: batch: expected an integer ≥ 1, got 0.");
    expect(() => recallBatch(2, 2.5, 1)).toThrow("recallBatch: T: expected an integer ≥ 1, got 2.5.");
    expect(() => recallBatch(2, 5, 0.5)).toThrow("recallBatch: seed: expected an integer, got 0.5.");
    expect(() => recallBatch(2, 5, 1, 1)).toThrow("recallBatch: symbols: expected an integer ≥ 2, got 1.");
  });
});

describe("shuffled", () => {
  it("is the Fisher–Yates loop the notebooks used, on a copy", () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const byHand = [...items];
    const g = new Generator(0);
    for (let i = byHand.length - 1; i > 0; i--) {
      const j = g.int(i + 1);
      [byHand[i], byHand[j]] = [byHand[j], byHand[i]];
    }
    const out = shuffled(items, 0);
    expect(out).toEqual(byHand);
    expect(out).not.toEqual(items);
    expect(items).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...out].sort((a, b) => a - b)).toEqual(items);
  });
  it("bad arguments are errors naming the argument", () => {
    expect(() => shuffled("abc" as never, 0)).toThrow("shuffled: items: expected an array, got string.");
    expect(() => shuffled([1, 2], 1.5)).toThrow("shuffled: seed: expected an integer, got 1.5.");
  });
});

describe("allNames", () => {
  it("is both lists, female first, lower-cased: 8,849 entries, 419 names on both lists", () => {
    const names = allNames();
    expect(names).toHaveLength(8849);
    expect(names[0]).toBe("aaren");
    expect(names.every((n) => n === n.toLowerCase())).toBe(true);
    const female = new Set(names.slice(0, 4951));
    const male = new Set(names.slice(4951));
    expect([...female].filter((n) => male.has(n))).toHaveLength(419);
  });
});

describe("nextCharBatch", () => {
  const vocab = new CharVocab(["emma", "al"], { specials: ["·", "."] });
  it("frames each text, shifts targets by one, pads with the padding id", () => {
    const { inputs, targets } = nextCharBatch(vocab, ["emma", "al"], ".");
    expect(inputs.dtype).toBe("int32");
    expect(inputs.arraySync().map((r) => vocab.decode(r))).toEqual([".emma", ".al.·"]);
    expect(targets.arraySync().map((r) => vocab.decode(r))).toEqual(["emma.", "al.··"]);
    tf.dispose([inputs, targets]);
  });
  it("bad arguments are errors naming the argument", () => {
    expect(() => nextCharBatch({} as never, ["a"], ".")).toThrow("nextCharBatch: vocab: expected a data.CharVocab, got object.");
    expect(() => nextCharBatch(vocab, [], ".")).toThrow("nextCharBatch: texts: expected a non-empty array of strings, got an array of 0.");
    expect(() => nextCharBatch(vocab, ["al"], "#")).toThrow('nextCharBatch: frame: expected one of the vocabulary\'s tokens, got "#".');
  });
});
