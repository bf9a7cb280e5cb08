/**
 * `npm run exchange -- release <assignment> [files or folders…] [--due DATE] [--force]` (teacher)
 *
 * nbgrader's release_assignment: puts the student version of an assignment in
 * <root>/<course>/outbound/<assignment>/, where every student of the machine can fetch it, and
 * makes the course's inbound and feedback folders with their modes (layout.ts).
 *
 * By default the assignment is notebooks/<assignment>.ipynb. A notebook from notebooks/ must be
 * up to date with solutions/ (as `npm run release -- --check` says), and every notebook must
 * pass nbgrader's schema v3, so students never fetch a stale or invalid notebook.
 * The copy is made under a temporary name and renamed into place, so a student fetching at
 * that moment gets the old release or the new one, never half of one.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { readNotebook } from "../../runner/notebook";
import { notebookSchemaReport } from "../nbgrader-schema";
import { planRelease } from "../student-release";
import { copyTree, ensureFolder, setTreeModes, writeAtomic } from "./files";
import { ExchangeError, MODES, checkId, courseFolders, type AssignmentRef } from "./layout";

const ROOT = path.resolve(__dirname, "../../..");

export interface ReleaseOptions extends AssignmentRef {
  /** Files and folders to release; empty means notebooks/<assignment>.ipynb. */
  inputs: string[];
  due?: Date;
  force?: boolean;
  /** The project whose notebooks/ and solutions/ are checked for staleness. */
  projectRoot?: string;
  log?: (msg: string) => void;
}

export interface AssignmentInfo {
  assignment: string;
  course: string;
  /** ISO 8601, UTC; absent when there is no due date. */
  due?: string;
  released: string;
  files: string[];
}

/** Makes the exchange root and the course's folders, as nbgrader's ensure_root and init_dest do. */
export function ensureCourse(root: string, course: string, warn: (msg: string) => void) {
  ensureFolder(root, MODES.root, warn);
  const f = courseFolders(root, course);
  ensureFolder(f.course, MODES.course, warn);
  ensureFolder(f.outbound, MODES.outbound, warn);
  ensureFolder(f.inbound, MODES.inbound, warn);
  ensureFolder(f.feedback, MODES.feedback, warn);
  ensureFolder(f.assignments, MODES.assignments, warn);
  return f;
}

function checkNotebooks(files: string[], projectRoot: string): void {
  const released = path.join(projectRoot, "notebooks");
  const fromCourse = files.filter((f) => path.dirname(path.resolve(f)) === released);
  if (fromCourse.length) {
    const plan = planRelease(path.join(projectRoot, "solutions"), released);
    const stale = fromCourse.map((f) => path.basename(f)).filter((n) => plan.stale.includes(n) || plan.missing.includes(n));
    if (stale.length) throw new ExchangeError(`release: expected notebooks up to date with solutions/, got ${stale.join(", ")} out of date; run \`npm run release\` first.`);
  }
  for (const f of files.filter((x) => x.endsWith(".ipynb"))) {
    const errors = notebookSchemaReport(readNotebook(f).cells, f).errors;
    if (errors.length) throw new ExchangeError(`release: expected notebooks nbgrader accepts, got:\n${errors.join("\n")}`);
  }
}

export function releaseAssignment(o: ReleaseOptions): AssignmentInfo {
  const log = o.log ?? console.log;
  const course = checkId("--course", o.course);
  const assignment = checkId("assignment", o.assignment);
  const projectRoot = o.projectRoot ?? ROOT;
  const inputs = o.inputs.length ? o.inputs : [path.join(projectRoot, "notebooks", `${assignment}.ipynb`)];
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new ExchangeError(`release: expected a notebook, file or folder to release, got "${input}", which does not exist.`);
  }
  const notebooks = inputs.flatMap((i) => (fs.statSync(i).isDirectory() ? fs.readdirSync(i).filter((n) => n.endsWith(".ipynb")).map((n) => path.join(i, n)) : [i]));
  if (!notebooks.some((n) => n.endsWith(".ipynb"))) throw new ExchangeError(`release: expected at least one .ipynb among ${inputs.join(", ")}, got none.`);
  checkNotebooks(notebooks, projectRoot);

  const f = ensureCourse(o.root, course, (m) => log(`warning: ${m}`));
  const dest = path.join(f.outbound, assignment);
  if (fs.existsSync(dest) && !o.force) throw new ExchangeError(`release: ${course}/${assignment} is already released; add --force to replace it.`);

  const staging = path.join(f.outbound, `.${assignment}.${randomBytes(6).toString("hex")}.tmp`);
  const files: string[] = [];
  try {
    for (const input of inputs) {
      const isDir = fs.statSync(input).isDirectory();
      if (isDir) files.push(...copyTree(input, staging).files);
      else {
        fs.mkdirSync(staging, { recursive: true });
        fs.copyFileSync(input, path.join(staging, path.basename(input)));
        files.push(path.basename(input));
      }
    }
    setTreeModes(staging, MODES.releasedFile, MODES.releasedDir);
    if (fs.existsSync(dest)) {
      const old = `${staging}.old`;
      fs.renameSync(dest, old);
      fs.renameSync(staging, dest);
      fs.rmSync(old, { recursive: true, force: true });
    } else {
      fs.renameSync(staging, dest);
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }

  const info: AssignmentInfo = { assignment, course, ...(o.due ? { due: o.due.toISOString() } : {}), released: new Date().toISOString(), files: files.sort() };
  writeAtomic(path.join(f.assignments, `${assignment}.json`), JSON.stringify(info, null, 2) + "\n", MODES.releasedFile);
  log(`released ${course}/${assignment} (${info.files.join(", ")}) to ${dest}${info.due ? `, due ${info.due}` : ", no due date"}.`);
  return info;
}

/** The release's record, or undefined for an assignment released by nbgrader itself. */
export function assignmentInfo(root: string, course: string, assignment: string): AssignmentInfo | undefined {
  const file = path.join(courseFolders(root, course).assignments, `${assignment}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as AssignmentInfo) : undefined;
}
