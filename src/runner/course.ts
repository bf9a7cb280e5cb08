/**
 * `npm run course [-- --only NAME] [--dir DIR] [--no-html] [--timeout S] [--out DIR]`
 *
 * Executes the course's notebooks in this process with tslab's engine (no Jupyter needed),
 * writes the executed .ipynb files and an offline HTML site (index.html plus a page per
 * notebook). By default it runs solutions/, the complete course, and any error fails the run,
 * naming the notebook, the cell and the message. With `--dir notebooks` it runs the student
 * versions, where an exercise that is not solved yet (NotImplementedError) is reported and the
 * run goes on.
 *
 * Each cell may run for --timeout seconds (default 120); a long training cell can ask for more
 * in its metadata, `"rnnlab": {"timeout": 600}`. The report gives each cell's time.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CellEngine } from "./engine";
import { copyAssets, notebookTitle, renderIndexPage, renderNotebookPage } from "./html";
import { readNotebook, sourceOf, writeNotebook, type Cell, type Notebook } from "./notebook";

export interface CourseOptions {
  dir: string;
  out: string;
  only: string[];
  html: boolean;
  timeoutS: number;
}

export interface NotebookReport {
  name: string;
  title: string;
  seconds: number;
  cells: number;
  /** Fatal problems: the notebook stopped at the first. */
  errors: string[];
  /** Exercises not solved yet (student versions only). */
  unsolved: string[];
  /** Seconds per code cell that ran, with its index among the notebook's cells (1-based). */
  cellSeconds: { cell: number; seconds: number }[];
}

const ROOT = path.resolve(__dirname, "../..");

export function parseArgs(argv: string[]): CourseOptions {
  const o: CourseOptions = { dir: path.join(ROOT, "solutions"), out: "", only: [], html: true, timeoutS: 120 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`npm run course: ${a}: expected a value after it, got ${v ?? "nothing"}.`);
      return v;
    };
    if (a === "--only") o.only.push(...value().split(","));
    else if (a === "--dir") o.dir = path.resolve(value());
    else if (a === "--out") o.out = path.resolve(value());
    else if (a === "--no-html") o.html = false;
    else if (a === "--timeout") {
      o.timeoutS = Number(value());
      if (!(o.timeoutS > 0)) throw new Error(`npm run course: --timeout: expected a positive number of seconds, got ${argv[i]}.`);
    } else throw new Error(`npm run course: unknown argument ${a}. Usage: npm run course -- [--only NAME] [--dir DIR] [--no-html] [--timeout S] [--out DIR]`);
  }
  const base = path.basename(o.dir);
  o.out ||= path.join(ROOT, "build", base === "solutions" ? "course" : `course-${base}`);
  return o;
}

export function listNotebooks(dir: string, only: string[]): string[] {
  if (!fs.existsSync(dir)) throw new Error(`npm run course: --dir: expected a folder of notebooks, got "${dir}", which does not exist.`);
  const all = fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort();
  const picked = only.length ? all.filter((f) => only.some((o) => f.includes(o))) : all;
  if (only.length && picked.length === 0) {
    throw new Error(`npm run course: --only: expected part of a notebook name in ${dir}, got ${only.join(", ")}; there are ${all.join(", ") || "none"}.`);
  }
  return picked.map((f) => path.join(dir, f));
}

const gradeId = (cell: Cell): string | undefined => (cell.metadata.nbgrader as { grade_id?: string } | undefined)?.grade_id;

/** The cell's own time limit (metadata `rnnlab.timeout`, seconds) or the run's. */
export function cellTimeoutS(cell: Cell, defaultS: number): number {
  const own = (cell.metadata.rnnlab as { timeout?: unknown } | undefined)?.timeout;
  return typeof own === "number" && own > 0 ? own : defaultS;
}

export async function runNotebook(engine: CellEngine, file: string, timeoutS: number): Promise<{ nb: Notebook; report: NotebookReport }> {
  const nb = readNotebook(file);
  const name = path.basename(file, ".ipynb");
  const report: NotebookReport = { name, title: notebookTitle(nb, name), seconds: 0, cells: 0, errors: [], unsolved: [], cellSeconds: [] };
  const t0 = performance.now();
  engine.startNotebook(path.dirname(file));
  let count = 0;
  for (const [index, cell] of nb.cells.entries()) {
    if (cell.cell_type !== "code") continue;
    const r = await engine.execute(sourceOf(cell), { timeoutMs: cellTimeoutS(cell, timeoutS) * 1000 });
    report.cellSeconds.push({ cell: index + 1, seconds: r.ms / 1000 });
    cell.outputs = r.outputs;
    cell.execution_count = ++count;
    for (const o of cell.outputs) if (o.output_type === "execute_result") o.execution_count = count;
    report.cells++;
    if (!r.error) continue;
    const where = `${name}, cell ${index + 1}${gradeId(cell) ? ` (${gradeId(cell)})` : ""}`;
    if (r.error.ename === "NotImplementedError") {
      report.unsolved.push(`${where}: ${r.error.evalue}`);
      continue;
    }
    report.errors.push(`${where}: ${r.error.ename}: ${r.error.evalue}`);
    break; // later cells depend on this one
  }
  report.seconds = (performance.now() - t0) / 1000;
  return { nb, report };
}

export async function runCourse(o: CourseOptions): Promise<NotebookReport[]> {
  const files = listNotebooks(o.dir, o.only);
  fs.mkdirSync(o.out, { recursive: true });
  const engine = CellEngine.create();
  const reports: NotebookReport[] = [];
  try {
    for (const file of files) {
      const { nb, report } = await runNotebook(engine, file, o.timeoutS);
      reports.push(report);
      writeNotebook(path.join(o.out, `${report.name}.ipynb`), nb);
      if (o.html) fs.writeFileSync(path.join(o.out, `${report.name}.html`), await renderNotebookPage(nb, report.title));
      const status = report.errors.length ? `FAILED — ${report.errors[0]}` : report.unsolved.length ? `${report.unsolved.length} exercise cell(s) not solved yet` : "ok";
      const slowest = [...report.cellSeconds].sort((a, b) => b.seconds - a.seconds).slice(0, 3);
      const slow = slowest.map((c) => `cell ${c.cell} ${c.seconds.toFixed(1)} s`).join(", ");
      console.log(`${report.name.padEnd(28)} ${report.seconds.toFixed(1).padStart(6)} s  ${String(report.cells).padStart(3)} cells  ${status}${slow ? `  (slowest: ${slow})` : ""}`);
      fs.writeFileSync(path.join(o.out, `${report.name}.report.json`), JSON.stringify(report, null, 1));
    }
  } finally {
    engine.close();
  }
  if (o.html) {
    copyAssets(o.out);
    const pages = reports.map((r) => ({ href: `${r.name}.html`, title: r.title, status: r.errors.length ? "failed" : r.unsolved.length ? "exercises to do" : undefined }));
    fs.writeFileSync(path.join(o.out, "index.html"), renderIndexPage("rnnlab — recurrent neural networks, hands on", pages));
  }
  return reports;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const reports = await runCourse(o);
  const failed = reports.filter((r) => r.errors.length);
  for (const r of reports) for (const u of r.unsolved) console.log(`  not solved yet: ${u}`);
  for (const r of failed) for (const e of r.errors) console.error(`error: ${e}`);
  const total = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`${reports.length} notebook(s) in ${total} s; ${failed.length} failed.${o.html ? ` HTML: ${path.relative(process.cwd(), path.join(o.out, "index.html"))}` : ""}`);
  process.exit(failed.length ? 1 : 0);
}

if (require.main === module) {
  main().catch((err) => {
    console.error((err as Error).message);
    process.exit(2);
  });
}
