/**
 * Tables: `plot.table([{ epoch: 1, loss: 0.52 }, …])` or `plot.table(rows, { columns: ["a", "b"] })`
 * for arrays of arrays. text/html for notebooks, aligned text/plain for terminals and graders.
 */
import { HtmlView } from "./chart";
import { escapeHtml } from "./html";
import { argError, expectStrings, fmt } from "./numeric-input";

export interface TableOptions {
  /** Column names (required for arrays of arrays; selects and orders columns for records). */
  columns?: string[];
  caption?: string;
  /** Rows beyond this are elided, with a note (default 50). */
  maxRows?: number;
}

const WHERE = "plot.table";

function cell(v: unknown): string {
  if (typeof v === "number") return fmt(v);
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const arr = Array.from(v as ArrayLike<unknown>);
    const shown = arr.slice(0, 6).map((x) => (typeof x === "number" ? fmt(x) : String(x)));
    return `[${shown.join(", ")}${arr.length > 6 ? ", …" : ""}]`;
  }
  return String(v);
}

export function table(rows: readonly Record<string, unknown>[] | readonly unknown[][], options: TableOptions = {}): HtmlView {
  if (!Array.isArray(rows)) throw argError(WHERE, "rows", "an array of records or an array of arrays", rows);
  const maxRows = options.maxRows ?? 50;
  if (!Number.isInteger(maxRows) || maxRows < 1) throw argError(WHERE, "options.maxRows", "an integer ≥ 1", options.maxRows);
  const arrays = rows.length > 0 && rows.every((r) => Array.isArray(r));
  let columns: string[];
  let grid: string[][];
  if (arrays) {
    const width = (rows[0] as unknown[]).length;
    columns = options.columns === undefined ? Array.from({ length: width }, (_, i) => String(i)) : expectStrings(WHERE, "options.columns", options.columns, width, "one per entry of a row");
    grid = (rows as unknown[][]).map((r, i) => {
      if (r.length !== width) throw argError(WHERE, `rows[${i}]`, `an array of length ${width} like rows[0]`, r);
      return r.map(cell);
    });
  } else {
    rows.forEach((r, i) => {
      if (r === null || typeof r !== "object" || Array.isArray(r)) throw argError(WHERE, `rows[${i}]`, "a record like { name: value }", r);
    });
    const recs = rows as Record<string, unknown>[];
    columns = options.columns === undefined ? [...new Set(recs.flatMap((r) => Object.keys(r)))] : expectStrings(WHERE, "options.columns", options.columns);
    grid = recs.map((r) => columns.map((c) => cell(r[c])));
  }
  const shown = grid.slice(0, maxRows);
  const elided = grid.length - shown.length;
  const numeric = columns.map((_, c) => grid.every((r) => r[c] === "" || !Number.isNaN(Number(r[c]))));
  const align = (c: number) => (numeric[c] ? "right" : "left");

  const th = columns.map((c, i) => `<th style="text-align:${align(i)};padding:2px 8px;border-bottom:1px solid #999">${escapeHtml(c)}</th>`).join("");
  const body = shown.map((r) => `<tr>${r.map((v, i) => `<td style="text-align:${align(i)};padding:2px 8px">${escapeHtml(v)}</td>`).join("")}</tr>`).join("\n");
  const more = elided ? `<tr><td colspan="${columns.length}" style="text-align:center;color:#888">… ${elided} more rows</td></tr>` : "";
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : "";
  const html = `<table class="rnnlab-table" style="border-collapse:collapse;font-variant-numeric:tabular-nums">${caption}<thead><tr>${th}</tr></thead><tbody>\n${body}${more}</tbody></table>`;

  const widths = columns.map((c, i) => Math.max(c.length, ...shown.map((r) => r[i].length)));
  const pad = (s: string, i: number) => (numeric[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const lines = [columns.map(pad).join("  "), widths.map((w) => "-".repeat(w)).join("  "), ...shown.map((r) => r.map(pad).join("  "))];
  if (elided) lines.push(`… ${elided} more rows`);
  const head = `Table: ${grid.length} rows × ${columns.length} columns${options.caption ? ` (${options.caption})` : ""}`;
  return new HtmlView(html, [head, ...lines].join("\n"));
}
