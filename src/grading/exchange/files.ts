/**
 * Copying folders between people who do not trust each other, and setting their modes.
 *
 * Only folders and regular files are copied. A symbolic link in a submission is skipped, never
 * followed: collect runs as the teacher, and a link could point at a file only the teacher may
 * read (another student's submission, the solutions), which would then land in the student's
 * graded folder and perhaps in their feedback. Folders nbgrader also leaves out are skipped.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ExchangeError } from "./layout";

/** nbgrader's CourseDirectory.ignore, plus node_modules. */
export const IGNORED = new Set([".ipynb_checkpoints", "__pycache__", "feedback", "node_modules"]);
/** nbgrader's max_file_size default (100000 kB): larger files are left out. */
export const MAX_FILE_BYTES = 100_000 * 1000;

export interface CopyReport {
  files: string[];
  skipped: string[];
}

/** Copies src's folders and regular files into dest (created), relative paths in the report. */
export function copyTree(src: string, dest: string, opts: { onlyMissing?: boolean } = {}): CopyReport {
  const report: CopyReport = { files: [], skipped: [] };
  const walk = (from: string, to: string, rel: string) => {
    fs.mkdirSync(to, { recursive: true });
    for (const name of fs.readdirSync(from).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(path.join(from, name));
      if (IGNORED.has(name)) {
        report.skipped.push(`${r} (ignored)`);
      } else if (st.isDirectory()) {
        walk(path.join(from, name), path.join(to, name), r);
      } else if (!st.isFile()) {
        report.skipped.push(`${r} (${st.isSymbolicLink() ? "a symbolic link" : "not a regular file"})`);
      } else if (st.size > MAX_FILE_BYTES) {
        report.skipped.push(`${r} (${st.size} bytes, more than ${MAX_FILE_BYTES})`);
      } else if (opts.onlyMissing && fs.existsSync(path.join(to, name))) {
        continue;
      } else {
        fs.copyFileSync(path.join(from, name), path.join(to, name));
        report.files.push(r);
      }
    }
  };
  walk(src, dest, "");
  return report;
}

/** nbgrader's set_perms: every file gets fileMode, every folder dirMode (deepest first). */
export function setTreeModes(dir: string, fileMode: number, dirMode: number): void {
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = fs.lstatSync(p);
    if (st.isDirectory()) setTreeModes(p, fileMode, dirMode);
    else if (st.isFile()) fs.chmodSync(p, fileMode);
  }
  fs.chmodSync(dir, dirMode);
}

/**
 * A folder that exists with this mode. mkdir applies the umask (and cannot set setgid or
 * sticky bits portably), so the mode is set after it is made. An existing folder is left as
 * it is, but a teacher's folder with the wrong mode is worth a warning.
 */
export function ensureFolder(dir: string, mode: number, warn: (msg: string) => void): void {
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, mode);
    return;
  }
  const st = fs.statSync(dir);
  if (!st.isDirectory()) throw new ExchangeError(`${dir}: expected a folder, got a file.`);
  const actual = st.mode & 0o7777;
  if (actual !== mode) warn(`${dir} has mode ${actual.toString(8).padStart(4, "0")}, expected ${mode.toString(8).padStart(4, "0")}; left as it is.`);
}

/** Names of local users by uid, from /etc/passwd; "uid N" for the rest. */
export function ownerName(uid: number): string {
  try {
    for (const line of fs.readFileSync("/etc/passwd", "utf8").split("\n")) {
      const f = line.split(":");
      if (f.length > 2 && Number(f[2]) === uid) return f[0];
    }
  } catch {
    // No passwd file (a container without one): fall through to the number.
  }
  return `uid ${uid}`;
}

/** Every .ipynb under dir, as paths relative to it (nbgrader's find_all_notebooks). */
export function notebooksUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (IGNORED.has(e.name)) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else if (e.isFile() && e.name.endsWith(".ipynb")) found.push(r);
    }
  };
  walk(dir, "");
  return found.sort();
}

/** Writes a file by a temporary name and renames it, so a reader never sees half of it. */
export function writeAtomic(file: string, data: string | Buffer, mode: number): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, data, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}
