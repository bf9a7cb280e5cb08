/** The README's examples type-check in strict mode with no casts (fixtures/typed-usage.ts). */
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

describe("types", () => {
  it("states and results need no casts; wrong state forms are type errors", () => {
    const file = path.join(__dirname, "fixtures", "typed-usage.ts");
    const program = ts.createProgram([file], {
      strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16, esModuleInterop: true, skipLibCheck: true, types: ["node"],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(diagnostics).toEqual([]);
  });
});
