/**
 * Maps a position in the JavaScript that tslab runs for a cell back to the cell's TypeScript.
 *
 * tslab's output is not line-for-line: it adds export lines, drops blank lines and type-only
 * lines, and its CommonJS pass adds a header. It has no source map, so the lines are aligned
 * instead: each JavaScript line goes to a cell line, in order, sharing as many identifiers,
 * numbers and strings with it as possible (type annotations only add tokens to the cell side,
 * so a JavaScript line's tokens are a subset of its source line's).
 */

const TOKEN = /[A-Za-z_$][\w$]*|\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;
const NOISE = new Set(["exports", "void", "require"]);

function tokens(line: string): string[] {
  return (line.match(TOKEN) ?? []).filter((t) => !NOISE.has(t));
}

/** Fraction of the JavaScript line's tokens that the cell line has. */
function overlap(js: string[], ts: string[]): number {
  if (js.length === 0) return 0;
  const pool = new Map<string, number>();
  for (const t of ts) pool.set(t, (pool.get(t) ?? 0) + 1);
  let hits = 0;
  for (const t of js) {
    const n = pool.get(t) ?? 0;
    if (n > 0) {
      hits++;
      pool.set(t, n - 1);
    }
  }
  return hits / js.length;
}

/** For each JavaScript line (0-based), the cell line (0-based) it came from. */
export function alignLines(javascript: string, cell: string): number[] {
  const js = javascript.replace(/\n$/, "").split("\n").map(tokens);
  const ts = cell.split("\n").map(tokens);
  const m = js.length;
  const n = Math.max(1, ts.length);
  // best[i][j]: best total overlap for the first i JS lines, the i-th mapped to a cell line ≤ j.
  const best = Array.from({ length: m + 1 }, () => new Float64Array(n));
  const took = Array.from({ length: m + 1 }, () => new Uint8Array(n));
  for (let i = 1; i <= m; i++) {
    for (let j = 0; j < n; j++) {
      const here = best[i - 1][j] + overlap(js[i - 1], ts[j] ?? []);
      const left = j > 0 ? best[i][j - 1] : -Infinity;
      if (here >= left) {
        best[i][j] = here;
        took[i][j] = 1;
      } else best[i][j] = left;
    }
  }
  const map = new Array<number>(m).fill(0);
  let j = n - 1;
  for (let i = m; i >= 1; i--) {
    while (j > 0 && !took[i][j]) j--;
    map[i - 1] = j;
  }
  return map;
}

/**
 * The cell line and column (1-based) for a 1-based line and column of the JavaScript, or
 * undefined when the line is outside it (the wrapper tslab adds around a cell).
 */
export function cellPosition(javascript: string, cell: string, line: number, column: number): { line: number; column?: number } | undefined {
  const jsLines = javascript.replace(/\n$/, "").split("\n");
  if (line < 1 || line > jsLines.length) return undefined;
  const target = alignLines(javascript, cell)[line - 1];
  const cellLine = cell.split("\n")[target] ?? "";
  // The column: where the token under the JavaScript column appears in the cell line.
  const jsLine = jsLines[line - 1];
  let column1: number | undefined;
  for (const match of jsLine.matchAll(TOKEN)) {
    const start = match.index ?? 0;
    if (start + match[0].length >= column - 1 && start <= column - 1) {
      const at = cellLine.indexOf(match[0]);
      if (at >= 0) column1 = at + 1;
      break;
    }
  }
  return { line: target + 1, column: column1 };
}
