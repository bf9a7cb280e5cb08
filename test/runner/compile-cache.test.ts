/**
 * Re-running a cell the compiler has already compiled against the same earlier declarations
 * gives the same JavaScript, so the kernel keeps it instead of type checking the cell again.
 * A cell that imports files, or whose compile produced files of its own, can change with the
 * files on disk and is always compiled afresh.
 */
import { afterAll, describe, expect, it } from "vitest";
import { CompileCache } from "../../src/runner/compile-cache";
import { convertersWhileLoading } from "../../src/runner/converter-while-loading";

const result = (output: string) => ({ output, declOutput: "", diagnostics: [] });

describe("CompileCache", () => {
  it("returns a cell's result for the same earlier declarations and source, and nothing for others", () => {
    const cache = new CompileCache();
    cache.set("declare let a: number;", "a + 1", result("js 1"));
    expect(cache.get("declare let a: number;", "a + 1")?.output).toBe("js 1");
    expect(cache.get("declare let a: string;", "a + 1")).toBeUndefined();
    expect(cache.get("declare let a: number;", "a + 2")).toBeUndefined();
  });

  it("hands out copies, so a caller that changes a result does not change the next one", () => {
    const cache = new CompileCache();
    cache.set("", "1", result("js"));
    cache.get("", "1")!.hasToplevelAwait = true;
    expect(cache.get("", "1")!.hasToplevelAwait).toBeUndefined();
  });

  it("keeps no cell that imports or references files, nor one whose compile emitted files", () => {
    const cache = new CompileCache();
    for (const src of ['import { x } from "./mod";\nx', 'const m = await import("./mod");', 'const m = require("./mod");', '/// <reference path="./t.d.ts" />\n1']) {
      cache.set("", src, result("js"));
      expect(cache.get("", src), src).toBeUndefined();
    }
    cache.set("", "1", { ...result("js"), sideOutputs: [{ path: "/x/mod.js", data: "" }] });
    expect(cache.get("", "1")).toBeUndefined();
  });

  it("forgets everything on clear() and keeps at most `limit` cells, dropping the oldest", () => {
    const cache = new CompileCache(2);
    cache.set("", "1", result("a"));
    cache.set("", "2", result("b"));
    cache.get("", "1");
    cache.set("", "3", result("c"));
    expect(cache.get("", "2"), "the least recently used goes first").toBeUndefined();
    expect(cache.get("", "1")?.output).toBe("a");
    cache.clear();
    expect(cache.get("", "1")).toBeUndefined();
  });

  it("rejects a limit that is not a positive whole number, naming it", () => {
    expect(() => new CompileCache(0)).toThrow(/limit: expected a whole number ≥ 1, got 0/);
  });
});

describe("the kernel's converter", () => {
  const cache = new CompileCache();
  const convs = convertersWhileLoading(undefined, cache);
  afterAll(() => convs.close());

  it("type checks a cell once and answers a re-run from the cache; a module cell clears it", async () => {
    // Wait for the type checker: cells before it are compiled without it and not cached.
    while (!convs.ready()) await new Promise((r) => setTimeout(r, 50));
    const first = convs.node.convert("", "const n: number = 2;\nn * 21");
    expect(first.diagnostics).toEqual([]);
    expect(cache.hits).toBe(0);
    const again = convs.node.convert("", "const n: number = 2;\nn * 21");
    expect(cache.hits).toBe(1);
    expect(again).toEqual(first);
    const bad = convs.node.convert("", 'const s: number = "x";');
    expect(bad.diagnostics.length).toBe(1);
    expect(convs.node.convert("", 'const s: number = "x";')).toEqual(bad);
    expect(cache.hits).toBe(2);
    convs.node.addModule("mod", "export const m = 1;", {});
    convs.node.convert("", "const n: number = 2;\nn * 21");
    expect(cache.hits, "addModule must empty the cache").toBe(2);
  }, 60_000);
});
