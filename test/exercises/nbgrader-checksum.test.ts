import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cellChecksum } from "../../src/grading/exercise-cells";
import { checksumParts, nbgraderChecksum, pythonFloatRepr } from "../../src/grading/nbgrader-checksum";
import type { Cell } from "../../src/runner/notebook";

const meta = (grade_id: string, extra: Record<string, unknown>) => ({ nbgrader: { grade_id, solution: false, grade: false, locked: false, schema_version: 3, ...extra } });
const cell = (source: string | string[], metadata: Record<string, unknown>, cell_type: Cell["cell_type"] = "code"): Cell => ({ cell_type, source, metadata, outputs: [], execution_count: null });
const md5 = (...parts: string[]) => createHash("md5").update(parts.join(""), "utf8").digest("hex");

// Five cells, with the checksum nbgrader's algorithm gives, computed once with Python's hashlib
// (md5 of source, cell_type, str(is_grade), str(is_solution), str(is_locked), grade_id and, for
// grade cells, str(float(points)), each UTF-8 encoded), not with this project's code.
const cases: { what: string; cell: Cell; parts: string[]; python: string }[] = [
  {
    what: "a locked setup cell",
    cell: cell('import { tf } from "rnnlab";\nawait ready();', meta("setup", { locked: true })),
    parts: ['import { tf } from "rnnlab";\nawait ready();', "code", "False", "False", "True", "setup"],
    python: "0c873c237c2c8367e375061be96695e5",
  },
  {
    what: "a test cell worth 3 points (points as Python's float: 3.0)",
    cell: cell(["{\n", "  check.equal(double(2), 4);\n", "}"], meta("test_double", { grade: true, points: 3, locked: true })),
    parts: ["{\n  check.equal(double(2), 4);\n}", "code", "True", "False", "True", "test_double", "3.0"],
    python: "7ed574ac8b85b13f8499bca5a599dd11",
  },
  {
    what: "a grade cell left unlocked in its metadata (nbgrader locks every grade cell), with non-ASCII source",
    cell: cell("check.true(ok); // ✔ π", meta("test_pi", { grade: true, points: 2.5 })),
    parts: ["check.true(ok); // ✔ π", "code", "True", "False", "True", "test_pi", "2.5"],
    python: "f4b97b7606e8303977597d8733b8a90a",
  },
  {
    what: "a solution cell marked locked (nbgrader never locks a solution cell)",
    cell: cell('function double(x: number): number {\n  throw new NotImplementedError("double");\n}', meta("double", { solution: true, locked: true })),
    parts: ['function double(x: number): number {\n  throw new NotImplementedError("double");\n}', "code", "False", "True", "False", "double"],
    python: "224a480f8f41dc06cc23685332fe45b7",
  },
  {
    what: "a markdown answer cell worth 1e16 points (Python writes 1e+16)",
    cell: cell("Explain *why*.", meta("why", { grade: true, solution: true, points: 1e16 }), "markdown"),
    parts: ["Explain *why*.", "markdown", "True", "True", "False", "why", "1e+16"],
    python: "80bad8bf9273860bd6e4b3717f850076",
  },
];

describe("nbgrader's cell checksum", () => {
  for (const c of cases) {
    it(`${c.what}: the parts nbgrader hashes, their MD5, and Python's value`, () => {
      expect(checksumParts(c.cell)).toEqual(c.parts);
      expect(nbgraderChecksum(c.cell)).toBe(md5(...c.parts));
      expect(nbgraderChecksum(c.cell)).toBe(c.python);
      expect(cellChecksum(c.cell)).toBe(c.python);
    });
  }

  it("is 32 lower-case hex digits, as nbgrader's schema v3 requires", () => {
    for (const c of cases) expect(cellChecksum(c.cell)).toMatch(/^[0-9a-f]{32}$/);
  });

  it("changes with any edit of the source, trailing whitespace included, and with points, grade_id or cell type", () => {
    const base = cases[1].cell;
    const base_ = cellChecksum(base);
    const edited = (f: (c: Cell) => void) => {
      const c: Cell = JSON.parse(JSON.stringify(base));
      f(c);
      return cellChecksum(c);
    };
    expect(edited((c) => (c.source = ["{\n", "  check.equal(double(2), 4); \n", "}"]))).not.toBe(base_);
    expect(edited((c) => ((c.metadata.nbgrader as { points: number }).points = 4))).not.toBe(base_);
    expect(edited((c) => ((c.metadata.nbgrader as { grade_id: string }).grade_id = "test_other"))).not.toBe(base_);
    expect(edited((c) => (c.cell_type = "raw"))).not.toBe(base_);
  });

  it("ignores outputs, cell id, tags, editable/deletable and the stored checksum itself, as nbgrader does", () => {
    const c: Cell = JSON.parse(JSON.stringify(cases[0].cell));
    c.outputs = [{ output_type: "stream", name: "stdout", text: "hi\n" }];
    c.id = "abc";
    Object.assign(c.metadata, { tags: ["x"], editable: false, deletable: false });
    Object.assign(c.metadata.nbgrader as object, { checksum: "0".repeat(32), cell_type: "code" });
    expect(cellChecksum(c)).toBe(cases[0].python);
  });

  it("names the field and what came when the metadata cannot be hashed", () => {
    expect(() => nbgraderChecksum(cell("x", {}))).toThrow(/expected a cell with metadata\.nbgrader, got a code cell without it/);
    expect(() => nbgraderChecksum(cell("x", meta("t", { grade: true })))).toThrow(/grade cell t: metadata\.nbgrader\.points: expected a number, got undefined/);
    expect(() => nbgraderChecksum(cell("x", meta("t", { grade: "yes" })))).toThrow(/metadata\.nbgrader\.grade: expected true or false, got "yes"/);
  });
});

describe("pythonFloatRepr", () => {
  // Left: the number; right: Python 3's repr(float(x)), printed by /usr/bin/python3.
  const table: [number, string][] = [
    [1, "1.0"], [3, "3.0"], [2.5, "2.5"], [0.1, "0.1"], [1e16, "1e+16"], [1e15, "1000000000000000.0"],
    [123456789.125, "123456789.125"], [0.0001, "0.0001"], [0.00001, "1e-05"], [1e-7, "1e-07"], [1.5e300, "1.5e+300"],
    [5e-324, "5e-324"], [1 / 3, "0.3333333333333333"], [100, "100.0"], [0, "0.0"], [2 ** 53, "9007199254740992.0"],
    [12345678901234567890, "1.2345678901234567e+19"],
  ];
  for (const [x, py] of table) it(`${x} → ${py}`, () => expect(pythonFloatRepr(x)).toBe(py));
});
