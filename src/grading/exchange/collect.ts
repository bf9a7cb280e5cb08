/**
 * `npm run exchange -- collect <assignment> [--out submitted] [--update] [--before-duedate] [--student NAME]` (teacher)
 *
 * nbgrader's collect: for each student, the newest submission in the inbound folder (or, with
 * --before-duedate, the newest one made by the due date, if any) is copied to
 * <out>/<student>/<assignment>/, the layout `npm run grade -- <out>` reads. A student already
 * collected is replaced only with --update and only by a newer submission, as in nbgrader.
 *
 * Late submissions are flagged against the due date given at release (or --due). The
 * timestamp in a submission's name and timestamp.txt is written by the student's own process,
 * so it is checked against what only the kernel writes: each file's ctime, which a user cannot
 * set back. A submission changed more than CLOCK_SLACK_MS after the time it claims is reported,
 * and judged by its latest change. nbgrader's owner check is kept too: a submission whose folder
 * belongs to another login than the student it names is reported.
 *
 * <out>/<assignment>.collected.csv lists what was taken: one row per student, with the
 * timestamp, the due date, whether it was late and by how many seconds, and any warnings.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { copyTree, ownerName } from "./files";
import { ExchangeError, checkId, courseFolders, describeDelay, formatTimestamp, parseSubmissionName, type SubmissionRecord, type AssignmentRef } from "./layout";
import { assignmentInfo } from "./release";

/** Allowed gap between a submission's claimed time and its files' last change (a large copy). */
export const CLOCK_SLACK_MS = 60_000;

export interface CollectOptions extends AssignmentRef {
  out: string;
  update?: boolean;
  beforeDuedate?: boolean;
  student?: string;
  /** Overrides the due date recorded at release. */
  due?: Date;
  /** Compare each submission's owner with the student it names (nbgrader's check_owner). */
  checkOwner?: boolean;
  log?: (msg: string) => void;
}

export interface Collected {
  student: string;
  submission: string;
  /** What the submission claims, and the time it is judged by (later if its files changed later). */
  claimed: Date;
  effective: Date;
  late: boolean;
  lateSeconds: number;
  submissions: number;
  action: "collected" | "updated" | "kept";
  warnings: string[];
}

/** The latest ctime of anything in a submission: a lower bound of when it was last written. */
function lastChange(dir: string): number {
  let latest = fs.lstatSync(dir).ctimeMs;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    latest = Math.max(latest, e.isDirectory() ? lastChange(p) : fs.lstatSync(p).ctimeMs);
  }
  return latest;
}

const csvCell = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

export function collectAssignment(o: CollectOptions): Collected[] {
  const log = o.log ?? console.log;
  const course = checkId("--course", o.course);
  const assignment = checkId("assignment", o.assignment);
  if (o.student !== undefined) checkId("--student", o.student);
  const { inbound } = courseFolders(o.root, course);
  if (!fs.existsSync(inbound)) throw new ExchangeError(`collect: expected the inbound folder ${inbound}, got nothing there; release an assignment first.`);
  const dueText = o.due?.toISOString() ?? assignmentInfo(o.root, course, assignment)?.due;
  const due = dueText === undefined ? undefined : Date.parse(dueText);

  const byStudent = new Map<string, SubmissionRecord[]>();
  for (const name of fs.readdirSync(inbound)) {
    if (name.startsWith(".")) continue; // a submission still being copied
    const rec = parseSubmissionName(name);
    if (!rec || rec.assignment !== assignment || (o.student && rec.student !== o.student)) continue;
    byStudent.set(rec.student, [...(byStudent.get(rec.student) ?? []), rec]);
  }

  const results: Collected[] = [];
  for (const student of [...byStudent.keys()].sort()) {
    const all = byStudent.get(student)!.sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime());
    const onTime = due === undefined ? [] : all.filter((r) => r.timestamp.getTime() <= due);
    const pick = o.beforeDuedate && onTime.length ? onTime[0] : all[0];
    const src = path.join(inbound, pick.name);
    const warnings: string[] = [];
    const st = fs.lstatSync(src);
    if (!st.isDirectory()) {
      log(`warning: ${pick.name} is not a folder; skipped.`);
      continue;
    }
    const owner = ownerName(st.uid);
    if (o.checkOwner !== false && owner !== student) warnings.push(`claims to be from ${student} but belongs to ${owner}`);
    const changed = lastChange(src);
    let effective = pick.timestamp;
    if (changed > pick.timestamp.getTime() + CLOCK_SLACK_MS) {
      effective = new Date(changed);
      warnings.push(`claims ${formatTimestamp(pick.timestamp)} but was last changed at ${formatTimestamp(effective)}; judged by the later`);
    }
    const lateMs = due === undefined ? 0 : Math.max(0, effective.getTime() - due);

    const dest = path.join(o.out, student, assignment);
    let action: Collected["action"] = "collected";
    if (fs.existsSync(dest)) {
      const stamp = path.join(dest, "timestamp.txt");
      const existing = fs.existsSync(stamp) ? fs.readFileSync(stamp, "utf8").trim() : "";
      // nbgrader's timestamps sort as text, oldest first.
      const picked = formatTimestamp(pick.timestamp);
      const newer = existing === "" || existing < picked;
      const differs = existing !== picked;
      action = (o.update && newer) || (o.beforeDuedate && differs) ? "updated" : "kept";
      if (action === "updated") fs.rmSync(dest, { recursive: true, force: true });
    }
    if (action !== "kept") {
      const copied = copyTree(src, dest);
      for (const s of copied.skipped) warnings.push(`left out ${s}`);
    }
    const r: Collected = {
      student, submission: pick.name, claimed: pick.timestamp, effective, late: lateMs > 0, lateSeconds: Math.round(lateMs / 1000),
      submissions: all.length, action, warnings,
    };
    results.push(r);
    const lateText = r.late ? `, LATE by ${describeDelay(lateMs)}` : due === undefined ? "" : ", on time";
    const keptText = action === "kept" ? " (already collected; --update takes a newer one)" : "";
    log(`${action} ${student}: ${formatTimestamp(pick.timestamp)} (${all.length} submission(s))${lateText}${keptText}`);
    for (const w of warnings) log(`  warning: ${w}`);
  }
  if (results.length === 0) log(`no submissions of ${course}/${assignment} to collect.`);

  fs.mkdirSync(o.out, { recursive: true });
  const header = ["student", "timestamp", "judged_at", "due", "late", "late_seconds", "submissions", "action", "warnings"];
  const rows = results.map((r) => [r.student, formatTimestamp(r.claimed), formatTimestamp(r.effective), dueText ?? "", r.late ? "yes" : "no", r.lateSeconds, r.submissions, r.action, r.warnings.join("; ")]);
  fs.writeFileSync(path.join(o.out, `${assignment}.collected.csv`), [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\n") + "\n");
  return results;
}
