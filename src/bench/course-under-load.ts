/**
 * `npm run bench:course [-- --load 2] [--quiet-too] [course arguments: --only 03 --jobs 2 …]`
 *
 * Runs the whole course headless (dist/runner/course.js, one process per notebook) while `--load`
 * busy-looping processes compete for the cores, and with `--quiet-too` first without them, in the
 * same sitting, for the comparison. Prints per-notebook time, the total, the slowest cell and the
 * load average seen during each run (sampled every 5 s; other users of the machine count too).
 * Exits non-zero if a loaded run failed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { NotebookReport } from "../runner/course-types";

const ROOT = path.resolve(__dirname, "../..");
const OUT = path.join(ROOT, "build", "bench-course");

interface Run {
  label: string;
  status: number | null;
  seconds: number;
  load: number[];
  reports: NotebookReport[];
}

function parse(argv: string[]): { load: number; quietToo: boolean; course: string[] } {
  const course: string[] = [];
  let load = 2;
  let quietToo = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--load") {
      load = Number(argv[++i]);
      if (!Number.isInteger(load) || load < 0) throw new Error(`bench:course: --load: expected a whole number of busy loops (0 or more), got ${argv[i]}.`);
    } else if (argv[i] === "--quiet-too") quietToo = true;
    else course.push(argv[i]);
  }
  return { load, quietToo, course };
}

/** A process that only spins, as a stand-in for another user's build. */
const busyLoop = (): ChildProcess => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });

function runCourse(label: string, loops: number, args: string[]): Promise<Run> {
  const out = path.join(OUT, label);
  fs.rmSync(out, { recursive: true, force: true });
  const busy = Array.from({ length: loops }, busyLoop);
  const load: number[] = [os.loadavg()[0]];
  const sampler = setInterval(() => load.push(os.loadavg()[0]), 5000);
  const t0 = performance.now();
  console.log(`\n== ${label}: the course with ${loops} busy loop(s); load average now ${load[0].toFixed(2)}`);
  const child = spawn(process.execPath, [path.join(ROOT, "dist/runner/course.js"), "--no-html", ...args, "--out", out], { stdio: "inherit" });
  return new Promise((resolve) => {
    child.on("exit", (status) => {
      const seconds = (performance.now() - t0) / 1000;
      clearInterval(sampler);
      load.push(os.loadavg()[0]);
      for (const b of busy) b.kill("SIGKILL");
      const reports = fs.existsSync(out)
        ? fs.readdirSync(out).filter((f) => f.endsWith(".report.json")).sort().map((f) => JSON.parse(fs.readFileSync(path.join(out, f), "utf8")) as NotebookReport)
        : [];
      resolve({ label, status, seconds, load, reports });
    });
  });
}

function slowestCell(run: Run): string {
  let best = { name: "-", cell: 0, seconds: 0 };
  for (const r of run.reports) for (const c of r.cellSeconds) if (c.seconds > best.seconds) best = { name: r.name, ...c };
  return `${best.name} cell ${best.cell}, ${best.seconds.toFixed(1)} s`;
}

function summary(runs: Run[]): void {
  console.log("\n| notebook | " + runs.map((r) => r.label).join(" | ") + " |");
  console.log("|---|" + runs.map(() => "---:|").join(""));
  const names = [...new Set(runs.flatMap((r) => r.reports.map((n) => n.name)))];
  for (const name of names) {
    const cells = runs.map((r) => {
      const n = r.reports.find((x) => x.name === name);
      return n ? `${n.seconds.toFixed(1)} s${n.errors.length ? " FAILED" : ""}` : "-";
    });
    console.log(`| ${name} | ${cells.join(" | ")} |`);
  }
  console.log(`| **total (wall)** | ${runs.map((r) => `**${r.seconds.toFixed(1)} s**`).join(" | ")} |`);
  console.log(`| slowest cell | ${runs.map(slowestCell).join(" | ")} |`);
  const load = (r: Run) => `${Math.min(...r.load).toFixed(1)}–${Math.max(...r.load).toFixed(1)} (mean ${(r.load.reduce((a, b) => a + b, 0) / r.load.length).toFixed(1)})`;
  console.log(`| load average (1 min) | ${runs.map(load).join(" | ")} |`);
  console.log(`| runner exit status | ${runs.map((r) => r.status).join(" | ")} |`);
  console.log(`\n${os.cpus().length} cores; ${new Date().toISOString()}`);
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  const runs: Run[] = [];
  if (o.quietToo) runs.push(await runCourse("no-extra-load", 0, o.course));
  runs.push(await runCourse(`${o.load}-busy-loops`, o.load, o.course));
  summary(runs);
  process.exit(runs[runs.length - 1].status === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(2);
});
