/**
 * Where things live in the exchange, and the names and modes nbgrader gives them, so that
 * rnnlab's exchange and nbgrader's (nbgrader/exchange/default) can read each other's folders.
 *
 *   <root>/                                        01777  anyone may make a course folder; sticky, so no one renames another's
 *   <root>/<course>/                               0755   the teacher's
 *     outbound/<assignment>/…                      0755 / files 0644: every student reads, only the teacher writes
 *     inbound/                                     3733   setgid + sticky, -wx for others: a student can create an entry
 *                                                         and enter it by name, but not list the folder, nor rename or
 *                                                         delete another's entry
 *     inbound/<student>+<assignment>+<timestamp>+<random>/   one submission (see submit.ts for its modes)
 *     feedback/<md5(secret + notebook)>.html       0711 / files 0644: fetched by a name only the submitter can compute
 *     rnnlab-assignments/<assignment>.json         0755 / 0644: the due date (rnnlab's; nbgrader keeps it in its gradebook)
 *
 * The student's side, as nbgrader's: the fetched assignment in <dir>/<assignment>/, and a copy of
 * each submission, with its secret, in <cache>/<course>/<student>+<assignment>+<timestamp>/.
 */
import { createHash, randomBytes } from "node:crypto";
import * as os from "node:os";
import * as path from "node:path";

export class ExchangeError extends Error {
  override name = "ExchangeError";
}

/** nbgrader's default exchange root before 0.9 (0.9 moved it to /usr/local/share/nbgrader/exchange). */
export const DEFAULT_ROOT = "/srv/nbgrader/exchange";
export const DEFAULT_COURSE = "rnnlab";

export const MODES = {
  root: 0o1777,
  course: 0o755,
  outbound: 0o755,
  inbound: 0o3733,
  feedback: 0o711,
  assignments: 0o755,
  releasedDir: 0o755,
  releasedFile: 0o644,
  feedbackFile: 0o644,
  cache: 0o700,
} as const;

/** What every exchange step is about: an assignment of a course, in the exchange at `root`. */
export interface AssignmentRef {
  root: string;
  course: string;
  assignment: string;
}

export interface CourseFolders {
  course: string;
  outbound: string;
  inbound: string;
  feedback: string;
  assignments: string;
}

export function courseFolders(root: string, course: string): CourseFolders {
  const c = path.join(root, course);
  return { course: c, outbound: path.join(c, "outbound"), inbound: path.join(c, "inbound"), feedback: path.join(c, "feedback"), assignments: path.join(c, "rnnlab-assignments") };
}

/** nbgrader's Exchange.cache default: $JUPYTER_DATA_DIR/nbgrader_cache, else ~/.local/share/jupyter/nbgrader_cache. */
export function defaultCache(env: NodeJS.ProcessEnv = process.env): string {
  const data = env.JUPYTER_DATA_DIR || path.join(env.HOME || os.homedir(), ".local", "share", "jupyter");
  return path.join(data, "nbgrader_cache");
}

const ID = /^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/;

/** Course, assignment and student names end up in paths and in `+`-separated folder names. */
export function checkId(what: string, value: string | undefined): string {
  if (value === undefined || value === "") throw new ExchangeError(`${what}: expected a name, got nothing.`);
  if (!ID.test(value)) {
    throw new ExchangeError(`${what}: expected letters, digits, _ . @ and - (not first . @ or -; no +, * or /), got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** nbgrader's timestamp_format "%Y-%m-%d %H:%M:%S.%f %Z" in UTC; JavaScript clocks give milliseconds. */
export function formatTimestamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}000 UTC`;
}

export function parseTimestamp(text: string, where: string): Date {
  const m = text.trim().match(/^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? UTC$/);
  if (!m) throw new ExchangeError(`${where}: expected a timestamp like "2026-12-01 17:00:00.000000 UTC", got ${JSON.stringify(text)}.`);
  const ms = m[7] ? Number(m[7].padEnd(6, "0").slice(0, 3)) : 0;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms));
}

/** A due date must say its time zone: a class may span several. */
export function parseDue(text: string, where = "--due"): Date {
  const withZone = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
  const d = new Date(text.replace(" ", "T"));
  if (!withZone.test(text) || Number.isNaN(d.getTime())) {
    throw new ExchangeError(`${where}: expected a date and time with its time zone, like 2026-12-01T17:00Z or 2026-12-01T17:00+01:00, got ${JSON.stringify(text)}.`);
  }
  return d;
}

/** nbgrader's inbound name: student+assignment+timestamp+random (12 url-safe characters, 72 bits). */
export function submissionName(student: string, assignment: string, timestamp: string): string {
  return `${student}+${assignment}+${timestamp}+${randomBytes(9).toString("base64url")}`;
}

export interface SubmissionRecord {
  name: string;
  student: string;
  assignment: string;
  timestamp: Date;
}

/** Reads an inbound name as nbgrader's collect does (rsplit on +, so a student name may hold none). */
export function parseSubmissionName(name: string): SubmissionRecord | undefined {
  const parts = name.split("+");
  if (parts.length < 4) return undefined;
  const [timestamp, assignment] = [parts[parts.length - 2], parts[parts.length - 3]];
  const student = parts.slice(0, parts.length - 3).join("+");
  try {
    return { name, student, assignment, timestamp: parseTimestamp(timestamp, name) };
  } catch {
    return undefined;
  }
}

/** nbgrader's notebook_hash(secret, notebook_id): the feedback file's name in the exchange. */
export function feedbackHash(secret: string, notebookId: string): string {
  return createHash("md5").update(secret, "utf8").update(notebookId, "utf8").digest("hex");
}

/** "2 h 5 min late", for messages. */
export function describeDelay(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const parts = [d && `${d} d`, h && `${h} h`, m && `${m} min`, (!d && !h && (sec || !m)) && `${sec} s`].filter(Boolean);
  return parts.join(" ");
}
