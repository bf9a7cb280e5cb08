/**
 * Which files are submissions, and whose.
 *
 * Every .ipynb under the given files and folders (recursively; .ipynb_checkpoints skipped) is a
 * submission. Its student is, in nbgrader's layout `submitted/<student>/<assignment>/<nb>.ipynb`,
 * the folder after `submitted`; otherwise the name of the folder that holds the file.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface Submission {
  file: string;
  student: string;
  /** The notebook's file name, matched to the source folder. */
  notebook: string;
}

export function studentOf(file: string): string {
  const parts = path.resolve(file).split(path.sep);
  const at = parts.lastIndexOf("submitted");
  if (at >= 0 && at + 3 === parts.length - 1) return parts[at + 1];
  return parts[parts.length - 2] || "unknown";
}

function walk(dir: string, found: string[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name === ".ipynb_checkpoints" || entry.name.startsWith(".")) continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, found);
    else if (entry.name.endsWith(".ipynb")) found.push(p);
  }
}

export function findSubmissions(inputs: string[]): Submission[] {
  const files: string[] = [];
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new Error(`npm run grade: expected a notebook or a folder of submissions, got "${input}", which does not exist.`);
    if (fs.statSync(input).isDirectory()) walk(input, files);
    else if (input.endsWith(".ipynb")) files.push(input);
    else throw new Error(`npm run grade: expected a .ipynb file or a folder, got "${input}".`);
  }
  const unique = [...new Set(files.map((f) => path.resolve(f)))];
  return unique.map((file) => ({ file, student: studentOf(file), notebook: path.basename(file) }));
}
