/**
 * `npm run course [-- --only NAME] [--dir DIR] [--no-html] [--timeout S] [--jobs N] [--out DIR]`
 *
 * Executes the course's notebooks with tslab's engine (no Jupyter needed), writes the executed
 * .ipynb files and an offline HTML site (index.html plus a page per notebook). By default it runs
 * solutions/, the complete course, and any error fails the run, naming the notebook, the cell
 * and the message. With `--dir notebooks` it runs the student versions, where an exercise that is
 * not solved yet (NotImplementedError) is reported and the run goes on.
 *
 * Each notebook runs in a process of its own with a fresh engine (notebook-process.ts), one after
 * another, or N at once with `--jobs N`: a notebook that replaces globals, calls process.exit,
 * leaves a throwing timer, runs out of memory or hangs fails alone, and its executed notebook,
 * page and report still hold every cell that ran, with the failure on the cell that was running.
 *
 * Each cell may run for --timeout seconds (default 600, generous for a busy 2-core machine); a
 * cell can ask for another limit in its metadata, `"rnnlab": {"timeout": 1200}`. Past its limit
 * the cell is interrupted; if it does not stop, its process is ended 15 s later. The report
 * gives each cell's time.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { NotebookReport } from "./course-types";
import { copyAssets, renderIndexPage, renderNotebookPage } from "./html";
import { writeNotebook } from "./notebook";
import { killAllNotebookProcesses, runNotebookProcess } from "./notebook-process";

export type { NotebookReport } from "./course-types";

export interface CourseOptions {
  dir: string;
  out: string;
  only: string[];
  html: boolean;
  timeoutS: number;
  /** Notebooks run at once, each in its own process. */
  jobs: number;
}

/** Seconds a cell may run unless its metadata says otherwise. */
export const DEFAULT_CELL_TIMEOUT_S = 600;

const ROOT = path.resolve(__dirname, "../..");

export function parseArgs(argv: string[]): CourseOptions {
  const o: CourseOptions = { dir: path.join(ROOT, "solutions"), out: "", only: [], html: true, timeoutS: DEFAULT_CELL_TIMEOUT_S, jobs: 1 };
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
    } else if (a === "--jobs") {
      const v = value();
      o.jobs = Number(v);
      if (!Number.isInteger(o.jobs) || o.jobs < 1) throw new Error(`npm run course: --jobs: expected a whole number of notebooks to run at once (1 or more), got ${v}.`);
    } else throw new Error(`npm run course: unknown argument ${a}. Usage: npm run course -- [--only NAME] [--dir DIR] [--no-html] [--timeout S] [--jobs N] [--out DIR]`);
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

/** The console line for a notebook that has finished. */
function summaryLine(report: NotebookReport): string {
  const status = report.errors.length ? `FAILED — ${report.errors[0]}` : report.unsolved.length ? `${report.unsolved.length} exercise cell(s) not solved yet` : "ok";
  const slowest = [...report.cellSeconds].sort((a, b) => b.seconds - a.seconds).slice(0, 3);
  const slow = slowest.map((c) => `cell ${c.cell} ${c.seconds.toFixed(1)} s`).join(", ");
  return `${report.name.padEnd(28)} ${report.seconds.toFixed(1).padStart(6)} s  ${String(report.cells).padStart(3)} cells  ${status}${slow ? `  (slowest: ${slow})` : ""}`;
}

export async function runCourse(o: CourseOptions): Promise<NotebookReport[]> {
  const files = listNotebooks(o.dir, o.only);
  fs.mkdirSync(o.out, { recursive: true });
  const reports: NotebookReport[] = new Array(files.length);
  // Stopping the runner (Ctrl-C) ends the notebooks' processes, which lead their own groups.
  const stop = (signal: NodeJS.Signals) => {
    killAllNotebookProcesses();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const { nb, report } = await runNotebookProcess(files[i], o.timeoutS);
      reports[i] = report;
      writeNotebook(path.join(o.out, `${report.name}.ipynb`), nb);
      if (o.html) fs.writeFileSync(path.join(o.out, `${report.name}.html`), await renderNotebookPage(nb, report.title));
      fs.writeFileSync(path.join(o.out, `${report.name}.report.json`), JSON.stringify(report, null, 1));
      console.log(summaryLine(report));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(o.jobs, files.length) }, worker));
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
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
