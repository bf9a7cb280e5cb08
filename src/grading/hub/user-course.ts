/**
 * A learner's own copy of the released course, made when the hub starts their server:
 *
 *   node dist/grading/hub/user-course.js <released notebooks folder> <learner's course folder>
 *
 * The hub's pre-spawn hook runs this as the learner (never as root: the destination is in a
 * folder the learner controls, where root following a planted symlink could overwrite any file).
 * Only what the learner does not have yet is copied, so an edited notebook is never overwritten
 * on a later login, and a notebook released later still reaches everyone on their next start.
 * The course folder is private (0700): it holds the learner's answers.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface CopyReport {
  copied: string[];
  kept: string[];
}

/** Copies every file of `released` that `dest` lacks (paths relative to the folders); keeps the rest. */
export function copyCourse(released: string, dest: string): CopyReport {
  if (!fs.statSync(released, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`user-course: released: expected the released notebooks folder, got ${JSON.stringify(released)} (not a folder).`);
  }
  const report: CopyReport = { copied: [], kept: [] };
  const top = fs.lstatSync(dest, { throwIfNoEntry: false });
  if (top && !top.isDirectory()) {
    throw new Error(`user-course: dest: expected a folder for the course, got ${JSON.stringify(dest)}, which is ${top.isSymbolicLink() ? "a symbolic link" : "a file"}; move it away and log in again.`);
  }
  if (!top) fs.mkdirSync(dest, { recursive: true, mode: 0o700 });
  walk(released, dest, "", report);
  return report;
}

function walk(from: string, to: string, rel: string, report: CopyReport): void {
  for (const entry of fs.readdirSync(path.join(from, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const r = path.join(rel, entry.name);
    const target = path.join(to, r);
    const existing = fs.lstatSync(target, { throwIfNoEntry: false });
    if (entry.isDirectory()) {
      // A learner's file or link where the course has a folder is theirs: leave it and its subtree.
      if (existing && !existing.isDirectory()) {
        report.kept.push(r);
        continue;
      }
      if (!existing) fs.mkdirSync(target, { mode: 0o755 });
      walk(from, to, r, report);
    } else if (entry.isFile()) {
      if (existing) {
        report.kept.push(r);
        continue;
      }
      // COPYFILE_EXCL: a file appearing meanwhile is the learner's, never replaced.
      fs.copyFileSync(path.join(from, r), target, fs.constants.COPYFILE_EXCL);
      fs.chmodSync(target, 0o644);
      report.copied.push(r);
    }
    // Links and special files in the release are not part of the course.
  }
}

if (require.main === module) {
  const [released, dest, ...extra] = process.argv.slice(2);
  if (!released || !dest || extra.length) {
    console.error(`user-course: expected <released notebooks folder> <learner's course folder>, got ${JSON.stringify(process.argv.slice(2))}.`);
    process.exit(2);
  }
  try {
    const { copied, kept } = copyCourse(path.resolve(released), path.resolve(dest));
    console.log(`user-course: ${dest}: copied ${copied.length} file(s), kept ${kept.length} the learner already had`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
