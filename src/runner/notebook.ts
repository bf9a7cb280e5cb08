/**
 * Jupyter notebooks (nbformat 4) as the runner reads and writes them. Written back the way
 * Jupyter writes them (one-space indent, sorted nothing, trailing newline) so diffs stay small.
 */
import * as fs from "node:fs";

export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}
export interface DataOutput {
  output_type: "display_data" | "execute_result";
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  execution_count?: number | null;
  transient?: { display_id?: string };
}
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DataOutput | ErrorOutput;

export interface Cell {
  cell_type: "code" | "markdown" | "raw";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown> & { tags?: string[] };
  outputs?: Output[];
  execution_count?: number | null;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

export class NotebookFormatError extends Error {
  override name = "NotebookFormatError";
}

export const sourceOf = (cell: Pick<Cell, "source">): string => (Array.isArray(cell.source) ? cell.source.join("") : cell.source);

/** Splits text into Jupyter's list-of-lines form, each line keeping its "\n". */
export function toLines(text: string): string[] {
  return text.length === 0 ? [] : text.split(/(?<=\n)/);
}

export function parseNotebook(text: string, where = "notebook"): Notebook {
  let nb: Notebook;
  try {
    nb = JSON.parse(text);
  } catch (err) {
    throw new NotebookFormatError(`${where}: expected notebook JSON, got text that does not parse: ${(err as Error).message}`);
  }
  if (nb === null || typeof nb !== "object" || !Array.isArray(nb.cells)) {
    throw new NotebookFormatError(`${where}: expected an nbformat 4 notebook with a "cells" list, got ${nb === null ? "null" : typeof nb}.`);
  }
  if (nb.nbformat !== 4) throw new NotebookFormatError(`${where}: expected nbformat 4, got ${JSON.stringify(nb.nbformat)}.`);
  nb.cells.forEach((c, i) => {
    if (!c || !["code", "markdown", "raw"].includes(c.cell_type) || (typeof c.source !== "string" && !Array.isArray(c.source))) {
      throw new NotebookFormatError(`${where}: cell ${i}: expected {cell_type: code|markdown|raw, source}, got ${JSON.stringify(c).slice(0, 80)}.`);
    }
    c.metadata ??= {};
  });
  return nb;
}

export function readNotebook(path: string): Notebook {
  return parseNotebook(fs.readFileSync(path, "utf8"), path);
}

export function serializeNotebook(nb: Notebook): string {
  return JSON.stringify(nb, null, 1) + "\n";
}

export function writeNotebook(path: string, nb: Notebook): void {
  fs.writeFileSync(path, serializeNotebook(nb));
}
