/**
 * grades.csv and grades.json: one row per submission per graded test cell (a submission that
 * could not be matched to a source notebook gets one row saying so).
 * Columns: submission (the collision-free key), student, notebook, source, grade_id, exercise,
 * points, max_points, status, reason. Each file is written whole and then renamed into place,
 * so a reader (or a grader stopped mid-write) never sees half a file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { SubmissionReport } from "./grade";

export interface GradeRow {
  submission: string;
  student: string;
  notebook: string;
  source: string;
  grade_id: string;
  exercise: string;
  points: number;
  max_points: number;
  status: string;
  reason: string;
}

export const COLUMNS: (keyof GradeRow)[] = ["submission", "student", "notebook", "source", "grade_id", "exercise", "points", "max_points", "status", "reason"];

export function rowsOf(reports: SubmissionReport[]): GradeRow[] {
  return reports.flatMap((r) =>
    r.outcomes.map((o) => ({
      submission: r.id, student: r.student, notebook: r.notebook, source: r.source, grade_id: o.gradeId, exercise: o.exercise,
      points: o.points, max_points: o.maxPoints, status: o.status, reason: o.reason,
    })),
  );
}

/** RFC 4180: quote a field that holds a comma, quote or line break; double the quotes. */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: GradeRow[]): string {
  return [COLUMNS.join(","), ...rows.map((r) => COLUMNS.map((c) => csvField(r[c])).join(","))].join("\n") + "\n";
}

/** Writes `text` to `file` through a temporary file and a rename. */
export function writeWhole(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** One submission's line in grades.json; `seconds` is the only timing in the grader's output. */
export interface SubmissionRecord {
  submission: string;
  student: string;
  notebook: string;
  source: string;
  file: string;
  points: number;
  max_points: number;
  seconds: number;
  problems: string[];
}

export function recordsOf(reports: SubmissionReport[]): SubmissionRecord[] {
  return reports.map((r) => ({
    submission: r.id, student: r.student, notebook: r.notebook, source: r.source, file: r.file, points: r.points, max_points: r.maxPoints,
    seconds: Number(r.seconds.toFixed(2)), problems: r.problems,
  }));
}

/** grades.csv and grades.json from their rows; the grader and `npm run grade:merge` both write through here. */
export function writeGradeFiles(out: string, rows: GradeRow[], submissions: SubmissionRecord[]): void {
  writeWhole(path.join(out, "grades.csv"), toCsv(rows));
  writeWhole(path.join(out, "grades.json"), JSON.stringify({ rows, submissions }, null, 1) + "\n");
}

export function writeGrades(out: string, reports: SubmissionReport[]): void {
  writeGradeFiles(out, rowsOf(reports), recordsOf(reports));
}
