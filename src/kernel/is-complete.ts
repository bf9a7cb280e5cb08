/**
 * is_complete: whether a cell can run as typed ("complete"), needs more lines ("incomplete",
 * e.g. an open brace), or cannot become valid by adding lines ("invalid", e.g. `1 +* 2` or a
 * stray `}`). tslab tells incomplete from complete; TypeScript's parser tells invalid.
 */
import type * as TS from "typescript";

export type Completeness = { status: "complete" } | { status: "incomplete"; indent: string } | { status: "invalid" };

export function isComplete(code: string): Completeness {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { isCompleteCode } = require("tslab/dist/converter") as { isCompleteCode(c: string): { completed: boolean; indent?: string } };
  const r = isCompleteCode(code);
  if (!r.completed) return { status: "incomplete", indent: r.indent ?? "" };
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ts = require("@tslab/typescript-for-tslab") as typeof TS;
  const file = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const diagnostics = (file as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? [];
  return diagnostics.length ? { status: "invalid" } : { status: "complete" };
}
