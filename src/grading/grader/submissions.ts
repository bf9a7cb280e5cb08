/**
 * Which files are submissions, whose they are, and which are refused.
 *
 * Every .ipynb under the given files and folders (recursively; dot-files and
 * .ipynb_checkpoints skipped) is a submission. Each is keyed by its path relative to the
 * inputs' common folder, so two students called "alice" in two sections, or "a b" and "a+b",
 * stay two rows and two feedback pages. The student's name shown beside it is, in nbgrader's
 * layout `submitted/<student>/<assignment>/<nb>.ipynb`, the folder after `submitted`;
 * otherwise the folder that holds the file.
 *
 * A symbolic link (to a file or a folder) or a file with more than one hard link is refused:
 * it may be the teacher's own notebook (a link to solutions/ scores full marks), so it is
 * reported with the reason and never read.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface Submission {
  file: string;
  /** Collision-free key: the file's path relative to the inputs' common folder, with "/". */
  id: string;
  student: string;
  /** The notebook's file name. */
  notebook: string;
  /** Why this file is not graded (a link); undefined for a file to grade. */
  refused?: string;
}

export function studentOf(file: string): string {
  const parts = path.resolve(file).split(path.sep);
  const at = parts.lastIndexOf("submitted");
  if (at >= 0 && at + 3 === parts.length - 1) return parts[at + 1];
  return parts[parts.length - 2] || "unknown";
}

/** Why `file` must not be read as a submission, or undefined. Checks the path itself, not what it points to. */
export function refusalOf(file: string): string | undefined {
  const st = fs.lstatSync(file);
  if (st.isSymbolicLink()) return `refused: ${path.basename(file)} is a symbolic link (to ${fs.readlinkSync(file)}); hand in the notebook itself`;
  if (!st.isFile()) return `refused: ${path.basename(file)} is not a regular file`;
  if (st.nlink > 1) return `refused: ${path.basename(file)} is a hard link (${st.nlink} names for one file); hand in a copy of the notebook`;
  return undefined;
}

function walk(dir: string, found: { file: string; refused?: string }[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name === ".ipynb_checkpoints" || entry.name.startsWith(".")) continue;
    const p = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) {
      // A linked folder is never followed; a linked notebook is refused where it stands.
      found.push({ file: p, refused: refusalOf(p) });
    } else if (entry.isDirectory()) walk(p, found);
    else if (entry.name.endsWith(".ipynb")) found.push({ file: p, refused: refusalOf(p) });
  }
}

function commonFolder(paths: string[]): string {
  const split = paths.map((p) => p.split(path.sep));
  const first = split[0];
  let n = 0;
  while (n < first.length && split.every((s) => s[n] === first[n])) n++;
  return first.slice(0, n).join(path.sep) || path.sep;
}

export function findSubmissions(inputs: string[]): Submission[] {
  const found: { file: string; refused?: string }[] = [];
  const roots: string[] = [];
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new Error(`npm run grade: expected a notebook or a folder of submissions, got "${input}", which does not exist.`);
    const abs = path.resolve(input);
    if (fs.statSync(abs).isDirectory()) {
      roots.push(abs);
      walk(abs, found);
    } else if (abs.endsWith(".ipynb")) {
      roots.push(path.dirname(path.dirname(abs)));
      found.push({ file: abs, refused: refusalOf(abs) });
    } else throw new Error(`npm run grade: expected a .ipynb file or a folder, got "${input}".`);
  }
  const root = commonFolder(roots);
  const seen = new Set<string>();
  const out: Submission[] = [];
  for (const f of found) {
    const file = path.resolve(f.file);
    if (seen.has(file)) continue;
    seen.add(file);
    const id = path.relative(root, file).split(path.sep).join("/");
    out.push({ file, id, student: studentOf(file), notebook: path.basename(file), refused: f.refused });
  }
  return out;
}
