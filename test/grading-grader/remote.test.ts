/** The pieces the two grading processes share: the value codec, the stand-ins, and submission resolution. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { feedbackPath, safeSegment } from "../../src/grading/grader/feedback";
import { gradedCellOf } from "../../src/grading/grader/graded-names";
import { decodeValue, encodeValue, tensorsIn, type FunctionTable } from "../../src/grading/grader/remote-value";
import { matchSource, withoutCopySuffix } from "../../src/grading/grader/source-match";
import { findSubmissions } from "../../src/grading/grader/submissions";
import { readNotebook } from "../../src/runner/notebook";

const ROOT = path.resolve(__dirname, "../..");
const noFunctions: FunctionTable = {
  exportFunction: () => {
    throw new Error("no functions here");
  },
  importFunction: () => () => undefined,
};
const roundTrip = (v: unknown) => decodeValue(JSON.parse(JSON.stringify(encodeValue(v, tf, noFunctions))), tf, noFunctions);

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("values that cross between the processes", () => {
  it("keep numbers JSON cannot hold, nesting, typed arrays and tensors of each dtype", () => {
    const back = roundTrip({ a: [NaN, Infinity, -Infinity, -0, 1.5], s: "x", u: undefined, n: null, t: true, f: new Float64Array([0.1, 2]) }) as Record<string, unknown>;
    expect(back.a).toEqual([NaN, Infinity, -Infinity, -0, 1.5]);
    expect(Object.is((back.a as number[])[3], -0)).toBe(true);
    expect(back).toMatchObject({ s: "x", n: null, t: true });
    expect("u" in back && back.u === undefined).toBe(true);
    expect(Array.from(back.f as Float64Array)).toEqual([0.1, 2]);
    for (const t of [tf.tensor2d([[1, 2], [3, 4.5]]), tf.tensor1d([1, -2], "int32"), tf.tensor1d([1, 0, 1], "bool"), tf.zeros([0, 3])]) {
      const u = roundTrip({ t }) as { t: tf.Tensor };
      expect([u.t.dtype, u.t.shape, Array.from(u.t.dataSync())]).toEqual([t.dtype, t.shape, Array.from(t.dataSync())]);
    }
  });

  it("refuse what is not data, naming where it was found", () => {
    class Cell { w = 1; }
    expect(() => encodeValue({ w: { cell: new Cell() } }, tf, noFunctions)).toThrow(/value\.w\.cell: a Cell; only numbers/);
    expect(() => encodeValue(Object.defineProperty({}, "g", { get: () => 1, enumerable: true }), tf, noFunctions)).toThrow(/value\.g: a getter/);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => encodeValue(loop, tf, noFunctions)).toThrow(/contains itself/);
    expect(() => encodeValue(new Map(), tf, noFunctions)).toThrow(/a Map/);
  });

  it("decode hostile input into an error, never into an object with a prototype or a tensor of the wrong size", () => {
    const polluted = decodeValue({ $: "object", entries: [["__proto__", { $: "object", entries: [["isAdmin", true]] }]] }, tf, noFunctions) as Record<string, unknown>;
    expect(Object.getPrototypeOf(polluted)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    const bytes = Buffer.from(new Float32Array([1, 2, 3]).buffer).toString("base64");
    expect(() => decodeValue({ $: "tensor", dtype: "float32", shape: [2, 2], bytes }, tf, noFunctions)).toThrow(/shape \[2, 2\] with 3 values/);
    expect(() => decodeValue({ $: "tensor", dtype: "complex64", shape: [1], bytes }, tf, noFunctions)).toThrow(/unknown dtype/);
    expect(() => decodeValue({ $: "tensor", dtype: "float32", shape: [-3], bytes }, tf, noFunctions)).toThrow(/malformed shape/);
    expect(() => decodeValue({ $: "typed", kind: "Float32Array", bytes: "!!" }, tf, noFunctions)).toThrow(/base64/);
    expect(() => decodeValue({ $: "constructor" }, tf, noFunctions)).toThrow(/unknown tag/);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(() => decodeValue(deep, tf, noFunctions)).toThrow(/nested deeper/);
  });

  it("list a value's tensors in the same order on both sides", () => {
    const a = tf.scalar(1), b = tf.scalar(2), c = tf.scalar(3);
    const value = { x: [a, { y: b }], z: c };
    expect(tensorsIn(value, tf)).toEqual([a, b, c]);
    expect(tensorsIn(roundTrip(value), tf).map((t) => t.dataSync()[0])).toEqual([1, 2, 3]);
  });
});

describe("the test process's stand-in for an exercise cell", () => {
  it("keeps the source's signatures and types and none of its body", () => {
    const src = `interface P { w: tf.Tensor }\nconst SCALE = 2;\nfunction f(x: tf.Tensor, p: P, k = 3): tf.Tensor {\n  // BEGIN SOLUTION\n  return tf.mul(x, SCALE);\n  // END SOLUTION\n}\nconst g = (a: number) => a + 1;\nf(tf.scalar(1), { w: tf.scalar(1) });`;
    const { names, standIn } = gradedCellOf(src, "ex");
    expect(names).toEqual(["SCALE", "f", "g"]);
    expect(standIn).toContain("interface P { w: tf.Tensor }");
    expect(standIn).toContain("function f(x: tf.Tensor, p: P, k = 3): tf.Tensor {");
    expect(standIn).not.toContain("tf.mul");
    expect(standIn).not.toContain("f(tf.scalar(1)"); // a demo call is left out
  });

  it("makes a class a constructor of stand-ins, and refuses what it cannot name", () => {
    const { names, standIn } = gradedCellOf("class Model extends Module { forward(x: tf.Tensor) { return x; } }", "model");
    expect(names).toEqual(["Model"]);
    expect(standIn).toMatch(/^type Model = any;\nconst Model: any = /);
    expect(standIn).not.toContain("forward");
    expect(() => gradedCellOf("const { a, b } = { a: 1, b: 2 };", "pair")).toThrow(/destructuring/);
  });

  it("covers every exercise of the course", () => {
    for (const name of fs.readdirSync(path.join(ROOT, "solutions")).filter((f) => f.endsWith(".ipynb"))) {
      for (const cell of readNotebook(path.join(ROOT, "solutions", name)).cells) {
        const m = cell.metadata?.nbgrader as { grade_id: string; solution?: boolean } | undefined;
        if (m?.solution) expect(gradedCellOf(Array.isArray(cell.source) ? cell.source.join("") : cell.source, m.grade_id).names.length).toBeGreaterThan(0);
      }
    }
  });
});

describe("which file is whose, and against which source", () => {
  it("keys submissions by their path, so equal or equally-sanitised names stay apart", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-subs-"));
    for (const p of ["secA/alice", "secB/alice", "a b", "a+b"]) {
      fs.mkdirSync(path.join(dir, p), { recursive: true });
      fs.writeFileSync(path.join(dir, p, "00-welcome.ipynb"), "{}");
    }
    const subs = findSubmissions([path.join(dir, "secA"), path.join(dir, "secB"), path.join(dir, "a b"), path.join(dir, "a+b")]);
    expect(subs.map((s) => s.id).sort()).toEqual(["a b/00-welcome.ipynb", "a+b/00-welcome.ipynb", "secA/alice/00-welcome.ipynb", "secB/alice/00-welcome.ipynb"]);
    const pages = subs.map((s) => feedbackPath("/out", s.id));
    expect(new Set(pages).size).toBe(4);
    expect(safeSegment("a b")).not.toBe(safeSegment("a+b"));
    expect(safeSegment("..")).not.toMatch(/^\.\.?$/);
  });

  it("refuses symbolic and hard links with the reason, and never follows a linked folder", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-links-"));
    const real = path.join(dir, "outside.ipynb");
    fs.writeFileSync(real, "{}");
    fs.mkdirSync(path.join(dir, "class/mallory"), { recursive: true });
    fs.mkdirSync(path.join(dir, "class/trent"), { recursive: true });
    fs.symlinkSync(real, path.join(dir, "class/mallory/00-welcome.ipynb"));
    fs.linkSync(real, path.join(dir, "class/trent/00-welcome.ipynb"));
    fs.symlinkSync(path.join(ROOT, "solutions"), path.join(dir, "class/oscar"));
    const subs = findSubmissions([path.join(dir, "class")]);
    const byId = Object.fromEntries(subs.map((s) => [s.id, s.refused]));
    expect(byId["mallory/00-welcome.ipynb"]).toMatch(/symbolic link/);
    expect(byId["trent/00-welcome.ipynb"]).toMatch(/hard link/);
    expect(byId["oscar"]).toMatch(/symbolic link/);
    expect(subs.filter((s) => !s.refused)).toEqual([]);
  });

  it("matches a renamed copy to its source by name, then by its cells", () => {
    const sources = new Map([["01-vanilla-rnn.ipynb", readNotebook(path.join(ROOT, "solutions/01-vanilla-rnn.ipynb"))], ["00-welcome.ipynb", readNotebook(path.join(ROOT, "solutions/00-welcome.ipynb"))]]);
    expect(withoutCopySuffix("01-vanilla-rnn (1).ipynb")).toBe("01-vanilla-rnn.ipynb");
    expect(withoutCopySuffix("01-vanilla-rnn-Copy2.ipynb")).toBe("01-vanilla-rnn.ipynb");
    expect(matchSource("01-vanilla-rnn (1).ipynb", undefined, sources).name).toBe("01-vanilla-rnn.ipynb");
    expect(matchSource("my homework.ipynb", sources.get("00-welcome.ipynb"), sources)).toMatchObject({ name: "00-welcome.ipynb", note: expect.stringMatching(/grade_ids/) });
    expect(matchSource("notes.ipynb", { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }, sources).name).toBeUndefined();
  });
});
