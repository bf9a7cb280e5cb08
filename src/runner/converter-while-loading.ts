/**
 * The converters tslab's executor calls, for a kernel that should answer its first cell before
 * the type checker has loaded.
 *
 * The checker is built in a worker (compiler-thread.ts). Until it is ready, a cell that can be
 * compiled alone runs at once, types stripped (quick-convert.ts). tslab's executor then carries
 * a marker naming the quick cells that ran, where it would carry their declarations. When the
 * checker is ready and a cell needs it, the marked cells are checked first, in order, to get
 * their declarations, so types flow into the later cells as usual. A type error found then
 * cannot stop a cell that has already run: it is printed, under the cell now running, and the
 * names of that cell are declared `any` so the later cells still compile.
 */
import { CompileCache } from "./compile-cache";
import { CompilerThread } from "./compiler-thread";
import { quickConvert, type ConvertResult } from "./quick-convert";

const MARKER = /^\/\* rnnlab quick cells: ([\d,]+) \*\/$/;

interface QuickRecord { src: string; values: string[] }

/** The indices of the quick cells a marker names, oldest first. */
const markedCells = (marker: string): number[] => MARKER.exec(marker)![1].split(",").map(Number);

export interface LoadingConverters {
  node: {
    convert(prevDecl: string, src: string): ConvertResult;
    inspect(prevDecl: string, src: string, position: number): unknown;
    complete(prevDecl: string, src: string, position: number): unknown;
    addModule(name: string, content: string, meta: unknown): unknown;
    close(): void;
  };
  browser: LoadingConverters["node"];
  /** True once the type checker has loaded. */
  ready(): boolean;
  close(): Promise<void>;
}

/**
 * `stopRequested`: an interrupt for the running cell (see CompilerThread). `cache`: the node
 * converter's checked cells, so a re-run skips the checker (compile-cache.ts).
 */
export function convertersWhileLoading(stopRequested: () => boolean = () => false, cache = new CompileCache()): LoadingConverters {
  const thread = new CompilerThread(stopRequested);
  const quick: QuickRecord[] = [];
  /** Every name a quick cell declared, values and types. */
  const quickNames = new Set<string>();
  const replayed = new Map<string, string>();

  /** The declarations of the quick cells a marker names, from the checker (cached). */
  function declarationsFor(marker: string): string {
    const cached = replayed.get(marker);
    if (cached !== undefined) return cached;
    let decl = "";
    for (const i of markedCells(marker)) {
      const cell = quick[i];
      const r = thread.call<ConvertResult>("node", "convert", [decl, cell.src]);
      if (r.diagnostics.length === 0) {
        decl = r.declOutput ?? decl;
        continue;
      }
      const firstLine = cell.src.trim().split("\n")[0].slice(0, 60);
      const found = r.diagnostics.map((d) => `  ${d.start.line + 1}:${d.start.character + 1} - ${d.messageText}`).join("\n");
      process.stderr.write(`note: the cell starting "${firstLine}" ran before the type checker had loaded; checking it now found:\n${found}\n`);
      decl += cell.values.map((n) => `declare let ${n}: any;\n`).join("");
    }
    replayed.set(marker, decl);
    return decl;
  }

  const realDecl = (prevDecl: string) => (MARKER.test(prevDecl) ? declarationsFor(prevDecl) : prevDecl);

  const converter = (which: "node" | "browser") => ({
    convert(prevDecl: string, src: string): ConvertResult {
      if (which === "node" && !thread.ready && (prevDecl === "" || MARKER.test(prevDecl))) {
        const cell = quickConvert(src, quickNames);
        if (cell) {
          quick.push({ src, values: cell.values });
          for (const n of [...cell.values, ...cell.types]) quickNames.add(n);
          const chain = prevDecl === "" ? [] : markedCells(prevDecl);
          return { ...cell.result, declOutput: `/* rnnlab quick cells: ${[...chain, quick.length - 1].join(",")} */` };
        }
      }
      if (which === "browser") return thread.call<ConvertResult>(which, "convert", [realDecl(prevDecl), src]);
      const kept = cache.get(prevDecl, src);
      if (kept) return kept;
      const result = thread.call<ConvertResult>(which, "convert", [realDecl(prevDecl), src]);
      cache.set(prevDecl, src, result);
      return result;
    },
    inspect: (prevDecl: string, src: string, position: number) => thread.call(which, "inspect", [realDecl(prevDecl), src, position]),
    complete: (prevDecl: string, src: string, position: number) => thread.call(which, "complete", [realDecl(prevDecl), src, position]),
    addModule: (name: string, content: string, meta: unknown) => {
      // A cell compiled before may import the module now registered under this name.
      cache.clear();
      return thread.call(which, "addModule", [name, content, meta]);
    },
    close: () => undefined,
  });

  return {
    node: converter("node"),
    browser: converter("browser"),
    ready: () => thread.ready,
    close: () => thread.close(),
  };
}
