/**
 * `npm run exchange -- submit <assignment> [--dir DIR] [--student NAME] [--strict]` (student)
 *
 * nbgrader's submit: copies <dir>/<assignment>/ into the course's inbound folder as
 * <student>+<assignment>+<timestamp>+<random>/, with timestamp.txt and a fresh
 * submission_secret.txt, and keeps a copy with the secret in the student's cache (the secret is
 * what later finds their feedback). Every submission is kept: resubmitting adds another, and
 * collect takes the newest. A submission after the due date is accepted and said to be late.
 *
 * Modes. The inbound folder is setgid and belongs to the teacher's group, so the submission's
 * folders and files belong to that group whoever makes them. They get 0770 and 0640: the
 * student and the teacher's group can read them, other students cannot, even knowing the name.
 * If the group did not follow (an inbound folder without setgid), nbgrader's own modes are used
 * instead (folders 0755, the top one 0777, files 0644), which hide a submission only by its
 * unguessable name, and the student is told.
 * The copy is made under a name starting with "." and renamed when complete, and collect skips
 * such names, so the teacher never collects half a submission.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { copyTree, notebooksUnder, setTreeModes } from "./files";
import { ExchangeError, MODES, checkId, courseFolders, describeDelay, formatTimestamp, submissionName, type AssignmentRef } from "./layout";
import { assignmentInfo } from "./release";

export const SUBMISSION_MODES = { dir: 0o770, file: 0o640 } as const;
export const NBGRADER_SUBMISSION_MODES = { dir: 0o755, top: 0o777, file: 0o644 } as const;

export interface SubmitOptions extends AssignmentRef {
  dir: string;
  cache: string;
  /** Defaults to the login name, as nbgrader's get_username. */
  student?: string;
  /** Refuse a submission that lacks a released notebook (nbgrader's --strict). */
  strict?: boolean;
  now?: Date;
  log?: (msg: string) => void;
}

export interface SubmitResult {
  name: string;
  timestamp: string;
  late: boolean;
  /** Whether the submission's files belong to the inbound folder's group (the protected modes). */
  groupProtected: boolean;
}

export function submitAssignment(o: SubmitOptions): SubmitResult {
  const log = o.log ?? console.log;
  const course = checkId("--course", o.course);
  const assignment = checkId("assignment", o.assignment);
  const student = checkId("--student", o.student ?? os.userInfo().username);
  const f = courseFolders(o.root, course);
  const src = path.resolve(o.dir, assignment);
  const released = path.join(f.outbound, assignment);
  if (!fs.existsSync(src)) throw new ExchangeError(`submit: expected your copy of ${assignment} in ${src}, got nothing there; fetch it first.`);
  if (!fs.existsSync(released)) throw new ExchangeError(`submit: expected ${course}/${assignment} to be released in ${f.outbound}, got nothing there.`);
  if (!fs.existsSync(f.inbound)) throw new ExchangeError(`submit: expected the inbound folder ${f.inbound}, got nothing there; ask your teacher.`);

  const expected = notebooksUnder(released);
  const present = new Set(notebooksUnder(src));
  const missing = expected.filter((n) => !present.has(n));
  if (missing.length && o.strict) throw new ExchangeError(`submit: expected every released notebook in ${src}, got ${missing.join(", ")} missing (--strict).`);
  if (missing.length) log(`warning: submitting without ${missing.join(", ")}.`);

  const now = o.now ?? new Date();
  const timestamp = formatTimestamp(now);
  const name = submissionName(student, assignment, timestamp);
  const secret = randomBytes(64).toString("hex");
  const staging = path.join(f.inbound, `.${name}`);
  const dest = path.join(f.inbound, name);
  try {
    copyTree(src, staging);
    fs.writeFileSync(path.join(staging, "timestamp.txt"), timestamp);
    fs.writeFileSync(path.join(staging, "submission_secret.txt"), secret);
    const groupProtected = fs.statSync(staging).gid === fs.statSync(f.inbound).gid;
    if (groupProtected) {
      setTreeModes(staging, SUBMISSION_MODES.file, SUBMISSION_MODES.dir);
    } else {
      setTreeModes(staging, NBGRADER_SUBMISSION_MODES.file, NBGRADER_SUBMISSION_MODES.dir);
      fs.chmodSync(staging, NBGRADER_SUBMISSION_MODES.top);
      log(`warning: ${f.inbound} is not setgid, so your files are readable by anyone who learns the submission's name (nbgrader's modes).`);
    }
    fs.renameSync(staging, dest);

    const cacheDir = path.join(o.cache, course, `${student}+${assignment}+${timestamp}`);
    fs.mkdirSync(path.join(o.cache, course), { recursive: true, mode: MODES.cache });
    fs.chmodSync(o.cache, MODES.cache);
    copyTree(src, cacheDir);
    fs.writeFileSync(path.join(cacheDir, "timestamp.txt"), timestamp);
    fs.writeFileSync(path.join(cacheDir, "submission_secret.txt"), secret, { mode: 0o600 });

    const due = assignmentInfo(o.root, course, assignment)?.due;
    const late = due !== undefined && now.getTime() > Date.parse(due);
    const when = due === undefined ? "" : late ? `, ${describeDelay(now.getTime() - Date.parse(due))} late (due ${due})` : `, on time (due ${due})`;
    log(`submitted ${course}/${assignment} as ${student} at ${timestamp}${when}.`);
    return { name, timestamp, late, groupProtected };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
