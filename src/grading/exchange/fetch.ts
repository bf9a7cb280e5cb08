/**
 * `npm run exchange -- fetch <assignment> [--dir DIR] [--replace-missing]` (student)
 *
 * nbgrader's fetch_assignment: copies <root>/<course>/outbound/<assignment>/ to
 * <dir>/<assignment>/. A student's existing copy is their work, so fetch refuses to touch it;
 * --replace-missing only puts back files the student deleted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { copyTree } from "./files";
import { ExchangeError, checkId, courseFolders, type AssignmentRef } from "./layout";
import { assignmentInfo } from "./release";

export interface FetchOptions extends AssignmentRef {
  dir: string;
  replaceMissing?: boolean;
  log?: (msg: string) => void;
}

export function fetchAssignment(o: FetchOptions): string[] {
  const log = o.log ?? console.log;
  const course = checkId("--course", o.course);
  const assignment = checkId("assignment", o.assignment);
  const src = path.join(courseFolders(o.root, course).outbound, assignment);
  if (!fs.existsSync(src)) {
    const outbound = courseFolders(o.root, course).outbound;
    const available = fs.existsSync(outbound) ? fs.readdirSync(outbound).filter((n) => !n.startsWith(".")).sort() : [];
    throw new ExchangeError(`fetch: expected a released assignment ${course}/${assignment} in ${outbound}, got none; released: ${available.join(", ") || "nothing"}.`);
  }
  const dest = path.resolve(o.dir, assignment);
  if (fs.existsSync(dest) && !o.replaceMissing) {
    throw new ExchangeError(`fetch: ${dest} already exists (your work); add --replace-missing to put back only the files missing from it.`);
  }
  const copied = copyTree(src, dest, { onlyMissing: o.replaceMissing }).files;
  // Released files are read-only in the exchange; the student's copy is theirs to edit.
  for (const f of copied) fs.chmodSync(path.join(dest, f), 0o644);
  const due = assignmentInfo(o.root, course, assignment)?.due;
  log(`fetched ${course}/${assignment} into ${dest} (${copied.length ? copied.join(", ") : "nothing missing"})${due ? `; due ${due}` : ""}.`);
  return copied;
}
