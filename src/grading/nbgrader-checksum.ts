/**
 * nbgrader's cell checksum, byte for byte, so that nbgrader's tools accept rnnlab's notebooks
 * (its schema v3 wants exactly 32 characters) and detect the same tampering rnnlab's grader does.
 *
 * nbgrader (nbgrader/utils.py, compute_checksum) feeds one MD5 with, in this order and with
 * nothing between them, each string encoded as UTF-8:
 *
 *   1. the cell's source, as nbformat reads it (a list of lines joined with "")
 *   2. the cell type: "code", "markdown" or "raw"
 *   3. str(is_grade(cell))      "True" or "False"
 *   4. str(is_solution(cell))   "True" or "False"
 *   5. str(is_locked(cell))     "True" or "False": a solution cell is never locked, a grade cell
 *                               always is, any other cell is locked when its metadata says so
 *   6. metadata.nbgrader.grade_id
 *   7. only for grade cells: str(float(points)), Python's shortest repr, so 1 gives "1.0"
 *
 * Nothing else of the cell counts: not its outputs, id, tags, editable/deletable flags nor the
 * stored checksum, so a cell's checksum can be stored in the cell itself.
 */
import { createHash } from "node:crypto";

/** The parts of a notebook cell the checksum reads. */
export interface ChecksumCell {
  cell_type: string;
  source: string | string[];
  metadata?: Record<string, unknown>;
}

/** Python's `str(bool)` of a metadata value read with `.get(key, False)`, for a value that is a boolean. */
function pythonBool(value: unknown, what: string): "True" | "False" {
  if (value === undefined) return "False";
  if (typeof value !== "boolean") throw new TypeError(`nbgrader checksum: metadata.nbgrader.${what}: expected true or false, got ${JSON.stringify(value)}.`);
  return value ? "True" : "False";
}

/**
 * Python's `repr(float(x))` (which `str` also gives): the shortest digits that read back as the
 * same double (JavaScript's toExponential() gives those same digits), written in fixed notation
 * for decimal exponents -4 ≤ e < 16 and in scientific notation with a signed, at least two-digit
 * exponent otherwise. Integral values keep a ".0".
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mantissa, exp] = Math.abs(x).toExponential().split("e");
  const e = Number(exp);
  const digits = mantissa.replace(".", "");
  if (e >= -4 && e < 16) {
    if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
    const whole = digits.length > e + 1 ? digits.slice(0, e + 1) : digits.padEnd(e + 1, "0");
    const frac = digits.slice(e + 1);
    return `${sign}${whole}.${frac || "0"}`;
  }
  const frac = digits.slice(1);
  return `${sign}${digits[0]}${frac ? "." + frac : ""}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

/** The strings nbgrader hashes for a cell, in order (exposed so tests can show their work). */
export function checksumParts(cell: ChecksumCell): string[] {
  const meta = cell.metadata?.nbgrader as Record<string, unknown> | undefined;
  if (!meta || typeof meta !== "object") throw new TypeError(`nbgrader checksum: expected a cell with metadata.nbgrader, got a ${cell.cell_type} cell without it.`);
  const gradeId = meta.grade_id;
  if (typeof gradeId !== "string") throw new TypeError(`nbgrader checksum: metadata.nbgrader.grade_id: expected a string, got ${JSON.stringify(gradeId)}.`);
  const grade = pythonBool(meta.grade, "grade");
  const solution = pythonBool(meta.solution, "solution");
  const locked = solution === "True" ? "False" : grade === "True" ? "True" : pythonBool(meta.locked, "locked");
  const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
  const parts = [source, cell.cell_type, grade, solution, locked, gradeId];
  if (grade === "True") {
    const points = meta.points;
    if (typeof points !== "number") throw new TypeError(`nbgrader checksum: grade cell ${gradeId}: metadata.nbgrader.points: expected a number, got ${JSON.stringify(points)}.`);
    parts.push(pythonFloatRepr(points));
  }
  return parts;
}

/** nbgrader's compute_checksum: the MD5, in 32 lower-case hex digits, of the parts above. */
export function nbgraderChecksum(cell: ChecksumCell): string {
  const md5 = createHash("md5");
  for (const part of checksumParts(cell)) md5.update(part, "utf8");
  return md5.digest("hex");
}
