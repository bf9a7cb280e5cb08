/**
 * Cells compiled without the type checker (what the kernel runs before the checker has loaded)
 * must behave exactly as tslab's converter would compile them: the same values exported, the
 * same result, the same top-level-await handling. And cells that cannot be compiled alone must
 * be left to the checker.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasTopLevelForAwait, QUICK_CONVERT_MAX_CHARS, quickConvert, type ConvertResult } from "../../src/runner/quick-convert";

interface Converter { convert(prevDecl: string, src: string): ConvertResult; close(): void }
let tslab: Converter;

beforeAll(() => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { createConverter } = require("tslab/dist/converter");
  tslab = createConverter();
}, 60_000);

afterAll(() => tslab?.close());

/** Runs a converted cell as tslab's executor does and returns what it exported. */
async function run(r: ConvertResult): Promise<Record<string, unknown>> {
  const exports: Record<string, unknown> = {};
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;
  const body = r.output ?? "";
  const fn = r.hasToplevelAwait ? new AsyncFunction("exports", "require", body) : new Function("exports", "require", body);
  await fn(exports, require);
  return Object.fromEntries(Object.entries(exports).map(([k, v]) => [k, typeof v === "function" ? `function ${v.name}` : v]));
}

const SAME_AS_TSLAB: Record<string, string> = {
  "a last expression": "1 + 1",
  "declarations of every kind": "const {a, b: [c, d]} = {a: 1, b: [2, 3]};\nfunction f() { return 1 }\nclass K {}\nenum E { A, B }\nlet z = f() as number;\nz++;\n[E.B, z]",
  "types only in type positions": "interface P { a: number }\ntype Q = P[];\nconst p: P = { a: 1 };\nconst qs: Q = [p, p];\nqs.length",
  "top-level await": "const x: number = 2;\nawait Promise.resolve(1);\nx * 3",
  "for await at top level": "let total = 0;\nfor await (const v of [Promise.resolve(4)]) total += v;\ntotal",
  "await only inside a function": "async function g() { return await 5 }\nconst later = g();",
  "a local named like the result": "let tsLastExpr = 1;\ntsLastExpr + 1",
  "a namespace import": 'import * as path from "node:path";\npath.posix.join("a", "b")',
  "a named import and no result": 'import { join } from "node:path";\nconst joined = join("x", "y");',
  "a statement last": "const arr = [3, 1, 2];\narr.sort();",
  "an expression then a type": "const n = 7;\nn * 6\ninterface Later { v: number }",
};

describe("quickConvert", () => {
  for (const [what, src] of Object.entries(SAME_AS_TSLAB)) {
    it(`compiles ${what} as tslab's converter does`, async () => {
      const quick = quickConvert(src, new Set());
      expect(quick, "quick path refused the cell").toBeDefined();
      const checked = tslab.convert("", src);
      expect(checked.diagnostics).toEqual([]);
      // The engine runs a top-level `for await` as async, which tslab alone does not.
      if (hasTopLevelForAwait(src)) checked.hasToplevelAwait = true;
      expect(quick!.result.hasToplevelAwait ?? false).toBe(checked.hasToplevelAwait ?? false);
      expect(quick!.result.lastExpressionVar).toBe(checked.lastExpressionVar);
      const [mine, theirs] = [await run(quick!.result), await run(checked)];
      expect(Object.keys(mine).length, "the cell exported nothing").toBeGreaterThan(0);
      expect(mine).toEqual(theirs);
    });
  }

  it("finds a top-level for await, and only there", () => {
    expect(hasTopLevelForAwait("for await (const v of xs) f(v);")).toBe(true);
    expect(hasTopLevelForAwait("if (ok) { for await (const v of xs) f(v); }")).toBe(true);
    expect(hasTopLevelForAwait("async function g() { for await (const v of xs) f(v); }")).toBe(false);
    expect(hasTopLevelForAwait("const s = 'for await';")).toBe(false);
  });

  it("names the values and the types a cell declares", () => {
    const q = quickConvert('import { posix } from "node:path";\nimport type { ParsedPath } from "node:path";\nconst [u, , w] = [1, 2, 3];\ninterface I {}\ntype T = number;\nclass C {}', new Set())!;
    expect(q.values).toEqual(["posix", "u", "w", "C"]);
    expect(q.types).toEqual(["I", "T"]);
  });

  const LEFT_TO_THE_CHECKER: Record<string, string> = {
    "a relative import (compiled as a side output)": 'import { h } from "./helper";\nh()',
    "an export": "export const a = 1;",
    "a namespace": "namespace N { export const v = 1 }",
    "a declare": "declare const d: number;",
    "a const enum": "const enum C { A }\nC.A",
    "a syntax error": "const a = ;",
    "import = require": 'import fs = require("node:fs");',
  };
  for (const [what, src] of Object.entries(LEFT_TO_THE_CHECKER)) {
    it(`leaves ${what} to the checker`, () => {
      expect(quickConvert(src, new Set())).toBeUndefined();
    });
  }

  it("leaves a cell that mentions an earlier quick cell's name to the checker", () => {
    expect(quickConvert("y + 1", new Set(["y"]))).toBeUndefined();
    expect(quickConvert("const v: Earlier = {}", new Set(["Earlier"]))).toBeUndefined();
    expect(quickConvert("z + 1", new Set(["y"]))).toBeDefined();
  });

  it("leaves a long cell to the checker, whose wait an interrupt can stop", () => {
    // Parsing this in the kernel's thread took 2 s on a loaded machine, during which an interrupt
    // went unseen; the checker's thread is waited on in slices that look for interrupts.
    const long = Array.from({ length: 8000 }, (_, i) => `function f${i}(a: number): number { return a * ${i}; }`).join("\n");
    expect(long.length).toBeGreaterThan(QUICK_CONVERT_MAX_CHARS);
    expect(quickConvert(long, new Set())).toBeUndefined();
    expect(quickConvert(long.slice(0, long.indexOf("\n", QUICK_CONVERT_MAX_CHARS - 200)), new Set())).toBeDefined();
  });
});
