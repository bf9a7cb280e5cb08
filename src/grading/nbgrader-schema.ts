/**
 * nbgrader's metadata validator, schema v3 (nbgrader/nbgraderformat/v3.json and v3.py), as
 * rules over rnnlab's notebooks, so that `npm run release` refuses to write a notebook nbgrader
 * would refuse to read. test/exercises/nbgrader_v3_check.py checks the same rules from Python,
 * independently of this file.
 *
 * Per cell with metadata.nbgrader:
 * - schema_version must be 3 (nbgrader calls a missing one 0, "too old");
 * - the keys are only schema_version, grade, locked, solution, task, grade_id, points, checksum
 *   and cell_type (nbgrader's schema has additionalProperties: false), and the first four are
 *   required;
 * - grade, locked, solution and task are booleans; grade_id a string of [a-zA-Z0-9_-]; points a
 *   number ≥ 0; checksum a string of exactly 32 characters; cell_type one of raw, code, markdown;
 * - a grade, solution or locked cell has a non-empty grade_id, and a grade cell has points;
 * - a markdown cell is a grade cell exactly when it is a solution cell, unless it is a task
 *   cell, and a task cell is a markdown cell;
 * - a cell_type that differs from the cell's type is only a warning in nbgrader.
 * Per notebook: no grade_id used twice among grade, solution and locked cells.
 */

/** The parts of a notebook the validator reads. */
export interface SchemaCell {
  cell_type: string;
  metadata?: Record<string, unknown>;
}

export interface SchemaReport {
  errors: string[];
  warnings: string[];
}

const ALLOWED = ["schema_version", "grade", "locked", "solution", "task", "grade_id", "points", "checksum", "cell_type"];
const REQUIRED = ["schema_version", "grade", "locked", "solution"];
const BOOLEANS = ["grade", "locked", "solution", "task"];
const GRADE_ID = /^[a-zA-Z0-9_-]*$/;

const show = (v: unknown) => JSON.stringify(v) ?? String(v);

/** nbgrader's rules for one cell; `where` names the cell in each message. */
export function cellSchemaReport(cell: SchemaCell, where: string): SchemaReport {
  const report: SchemaReport = { errors: [], warnings: [] };
  const raw = cell.metadata?.nbgrader;
  if (raw === undefined) return report;
  const err = (msg: string) => report.errors.push(`${where}: nbgrader schema v3: ${msg}`);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    err(`metadata.nbgrader: expected an object, got ${show(raw)}.`);
    return report;
  }
  const meta = raw as Record<string, unknown>;
  const version = meta.schema_version ?? 0;
  if (version !== 3) {
    err(`schema_version: expected 3, got ${show(meta.schema_version)}.`);
    return report; // nbgrader stops here too: the other rules are for version 3.
  }
  for (const key of Object.keys(meta)) if (!ALLOWED.includes(key)) err(`expected only the keys ${ALLOWED.join(", ")}, got an extra key ${show(key)}.`);
  for (const key of REQUIRED) if (!(key in meta)) err(`${key}: expected it to be present, got nothing.`);
  for (const key of BOOLEANS) if (key in meta && typeof meta[key] !== "boolean") err(`${key}: expected true or false, got ${show(meta[key])}.`);
  if ("grade_id" in meta && !(typeof meta.grade_id === "string" && GRADE_ID.test(meta.grade_id))) err(`grade_id: expected a string of letters, digits, _ and -, got ${show(meta.grade_id)}.`);
  if ("points" in meta && !(typeof meta.points === "number" && Number.isFinite(meta.points) && meta.points >= 0)) err(`points: expected a number ≥ 0, got ${show(meta.points)}.`);
  if ("checksum" in meta && !(typeof meta.checksum === "string" && [...meta.checksum].length === 32)) err(`checksum: expected a string of exactly 32 characters (nbgrader's MD5), got ${show(meta.checksum)}.`);
  if ("cell_type" in meta && !["raw", "code", "markdown"].includes(meta.cell_type as string)) err(`cell_type: expected raw, code or markdown, got ${show(meta.cell_type)}.`);
  if (report.errors.length) return report; // nbgrader's jsonschema step fails before its own rules run.

  const { grade, solution, locked } = meta;
  const task = meta.task === true;
  if ("cell_type" in meta && meta.cell_type !== cell.cell_type) report.warnings.push(`${where}: cell type has changed from ${meta.cell_type} to ${cell.cell_type}.`);
  if ((grade || solution || locked) && !(typeof meta.grade_id === "string" && meta.grade_id !== "")) err(`grade_id: expected a non-empty grade_id on a grade, solution or locked cell, got ${show(meta.grade_id)}.`);
  if (grade && !("points" in meta)) err(`points: expected points on a grade cell, got none.`);
  if (!task) {
    if (cell.cell_type === "markdown" && grade && !solution) err("expected a markdown grade cell to be a solution cell too, got grade without solution.");
    if (cell.cell_type === "markdown" && !grade && solution) err("expected a markdown solution cell to be a grade cell too, got solution without grade.");
  } else if (cell.cell_type !== "markdown") {
    err(`expected a task cell to be a markdown cell, got a ${cell.cell_type} cell.`);
  }
  return report;
}

/** nbgrader's rules for a whole notebook: every cell's, then unique grade_ids. */
export function notebookSchemaReport(cells: SchemaCell[], name: string): SchemaReport {
  const report: SchemaReport = { errors: [], warnings: [] };
  const seen = new Map<string, number>();
  cells.forEach((cell, i) => {
    const one = cellSchemaReport(cell, `${name}, cell ${i + 1}`);
    report.errors.push(...one.errors);
    report.warnings.push(...one.warnings);
    const meta = cell.metadata?.nbgrader as Record<string, unknown> | undefined;
    if (one.errors.length || !meta || !(meta.grade || meta.solution || meta.locked)) return;
    const id = meta.grade_id as string;
    if (seen.has(id)) report.errors.push(`${name}, cell ${i + 1}: nbgrader schema v3: expected a unique grade_id, got ${show(id)}, already used by cell ${seen.get(id)! + 1}.`);
    else seen.set(id, i);
  });
  return report;
}
