/**
 * Compiled cells, kept so that a re-run is not type checked again.
 *
 * tslab's converter is a function of the earlier cells' declarations and the cell's source,
 * except through the files a cell imports (they may change on disk) and the `%module` cells
 * registered so far. Cells that mention imports, require or reference directives, and results
 * that came with compiled side files, are therefore never kept; the caller empties the cache
 * when a module is added. Type checking a trivial cell costs a few milliseconds, most of a
 * trivial cell's round trip through Jupyter.
 */
import type { ConvertResult } from "./quick-convert";

/** Anything that can bring a file's contents into the compile. */
const READS_FILES = /\bimport\b|\brequire\b|\/\/\/\s*<reference/;

export class CompileCache {
  private readonly entries = new Map<string, ConvertResult>();
  /** How many results were answered from the cache (for tests and profiling). */
  hits = 0;

  constructor(private readonly limit = 64) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`CompileCache: limit: expected a whole number ≥ 1, got ${limit}`);
  }

  private static key(prevDecl: string, src: string): string {
    return `${prevDecl}\u0000${src}`;
  }

  /** A copy of the kept result for this cell after these declarations, or undefined. */
  get(prevDecl: string, src: string): ConvertResult | undefined {
    const key = CompileCache.key(prevDecl, src);
    const kept = this.entries.get(key);
    if (!kept) return undefined;
    // Most recently used last: the oldest is the first in the map's order.
    this.entries.delete(key);
    this.entries.set(key, kept);
    this.hits++;
    return { ...kept };
  }

  /** Keeps `result` unless the cell or its compile involved files. */
  set(prevDecl: string, src: string, result: ConvertResult): void {
    if (READS_FILES.test(src) || result.sideOutputs?.length) return;
    this.entries.set(CompileCache.key(prevDecl, src), { ...result });
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
  }

  clear(): void {
    this.entries.clear();
  }
}
