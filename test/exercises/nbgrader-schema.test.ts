import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { notebookSchemaReport } from "../../src/grading/nbgrader-schema";
import { readNotebook, type Cell, type Notebook } from "../../src/runner/notebook";
import { ROOT, notebookNames } from "./exercise-plan";

const PYTHON = "/usr/bin/python3";
const CHECK = path.join(__dirname, "nbgrader_v3_check.py");
const hasPython = fs.existsSync(PYTHON);

const courseFiles = () => ["solutions", "notebooks"].flatMap((dir) => notebookNames().map((n) => path.join(ROOT, dir, `${n}.ipynb`)));

function runCheck(files: string[]) {
  const r = spawnSync(PYTHON, [CHECK, ...files], { encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr };
}

const nbgrader = (grade_id: string, extra: Record<string, unknown>) => ({ nbgrader: { grade_id, solution: false, grade: false, locked: true, schema_version: 3, ...extra } });
const code = (source: string, metadata: Record<string, unknown>): Cell => ({ cell_type: "code", id: "c" + Math.abs(source.length), source, metadata, outputs: [], execution_count: null });
const notebookOf = (...cells: Cell[]): Notebook => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: cells.map((c, i) => ({ ...c, id: `cell-${i}` })) });

// Notebooks nbgrader's validator rejects, each for one reason, with what both checks must say.
const invalid: { what: string; nb: Notebook; ts: RegExp; py: RegExp }[] = [
  {
    what: "a 64-character (SHA-256) checksum",
    nb: notebookOf(code("x", nbgrader("setup", { checksum: "a".repeat(64) }))),
    ts: /checksum: expected a string of exactly 32 characters/, py: /checksum '.*' is not a string of 32 characters/,
  },
  {
    what: "a key outside the schema",
    nb: notebookOf(code("x", nbgrader("setup", { hidden: true }))),
    ts: /got an extra key "hidden"/, py: /extra key 'hidden'/,
  },
  {
    what: "a grade cell without points",
    nb: notebookOf(code("x", nbgrader("test_x", { grade: true }))),
    ts: /points: expected points on a grade cell, got none/, py: /grade cell without points/,
  },
  {
    what: "schema version 2",
    nb: notebookOf(code("x", nbgrader("setup", { schema_version: 2 }))),
    ts: /schema_version: expected 3, got 2/, py: /schema_version is 2, expected 3/,
  },
  {
    what: "a grade_id with a space",
    nb: notebookOf(code("x", nbgrader("my setup", {}))),
    ts: /grade_id: expected a string of letters, digits, _ and -, got "my setup"/, py: /grade_id 'my setup' does not match/,
  },
  {
    what: "a duplicate grade_id",
    nb: notebookOf(code("x", nbgrader("setup", {})), code("y", nbgrader("setup", {}))),
    ts: /expected a unique grade_id, got "setup", already used by cell 1/, py: /duplicate grade id setup/,
  },
  {
    what: "a markdown grade cell that is not a solution",
    nb: notebookOf({ ...code("Say why.", nbgrader("why", { grade: true, points: 1 })), cell_type: "markdown", outputs: undefined, execution_count: undefined }),
    ts: /expected a markdown grade cell to be a solution cell too/, py: /markdown grade cell that is not a solution cell/,
  },
];

describe("nbgrader's schema v3 rules in TypeScript (nbgrader-schema.ts)", () => {
  for (const name of notebookNames()) {
    for (const dir of ["solutions", "notebooks"]) {
      it(`${dir}/${name} passes`, () => {
        const report = notebookSchemaReport(readNotebook(path.join(ROOT, dir, `${name}.ipynb`)).cells, name);
        expect(report).toEqual({ errors: [], warnings: [] });
      });
    }
  }
  for (const c of invalid) it(`rejects ${c.what}`, () => expect(notebookSchemaReport(c.nb.cells, "bad.ipynb").errors.join("\n")).toMatch(c.ts));

  it("warns, as nbgrader does, when a cell's type differs from the type the release recorded", () => {
    const nb = notebookOf({ ...code("x", nbgrader("setup", { cell_type: "code" })), cell_type: "raw", outputs: undefined, execution_count: undefined });
    expect(notebookSchemaReport(nb.cells, "nb")).toEqual({ errors: [], warnings: ["nb, cell 1: cell type has changed from code to raw."] });
  });
});

describe.skipIf(!hasPython)("nbgrader's schema v3 rules and checksum in Python (nbgrader_v3_check.py)", () => {
  it("accepts every notebook in solutions/ and notebooks/, and every stored checksum equals nbgrader's", () => {
    const r = runCheck(courseFiles());
    expect(r.out).toMatch(/nbgrader v3 check: 16 notebook\(s\), 0 invalid, \d+ stored checksum\(s\) checked/);
    expect(Number(r.out.match(/(\d+) stored checksum/)![1])).toBeGreaterThan(50);
    expect(r.status).toBe(0);
  });

  it("rejects each invalid notebook for the same reason as the TypeScript rules, and a tampered cell by its checksum", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-nbgrader-v3-"));
    try {
      const files = invalid.map((c, i) => {
        const f = path.join(dir, `bad-${i}.ipynb`);
        fs.writeFileSync(f, JSON.stringify(c.nb));
        return f;
      });
      const tampered = readNotebook(path.join(ROOT, "notebooks", `${notebookNames()[1]}.ipynb`));
      const locked = tampered.cells.find((c) => (c.metadata.nbgrader as { locked?: boolean } | undefined)?.locked)!;
      locked.source = ["// edited by a student\n", ...(Array.isArray(locked.source) ? locked.source : [locked.source])];
      const tamperedFile = path.join(dir, "tampered.ipynb");
      fs.writeFileSync(tamperedFile, JSON.stringify(tampered));

      const r = runCheck([...files, tamperedFile]);
      expect(r.status).toBe(1);
      expect(r.out).toContain(`nbgrader v3 check: ${files.length + 1} notebook(s), ${files.length + 1} invalid`);
      invalid.forEach((c, i) => expect(r.out.split("\n").filter((l) => l.startsWith(files[i] + ":")).join("\n")).toMatch(c.py));
      expect(r.out).toMatch(/tampered\.ipynb: cell \d+ \(\w+\): stored checksum [0-9a-f]{32}, nbgrader computes [0-9a-f]{32}/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
