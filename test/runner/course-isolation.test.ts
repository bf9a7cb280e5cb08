import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Each hostile notebook runs with a healthy one after it (`zz-healthy`, which uses Math.random,
 * Array.prototype.map and tf.add). With one process per notebook the healthy one passes whatever
 * the hostile one did, and the hostile one's executed notebook, HTML and report are still written,
 * with the cells run so far and the failure on the cell that was running.
 */
const root = path.resolve(__dirname, "../..");
const hostile = path.join(__dirname, "fixtures", "hostile");
const HEALTHY = "healthy true 2,4 3\n";

interface Cell {
  outputs: { output_type: string; name?: string; text?: string; ename?: string; evalue?: string }[];
  execution_count: number | null;
}

function course(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-isolation-"));
  const r = spawnSync(process.execPath, [path.join(root, "dist/runner/course.js"), "--dir", hostile, ...args, "--out", out], {
    encoding: "utf8",
    cwd: root,
    timeout: 150_000,
    env: { ...process.env, ...env },
  });
  const cells = (name: string): Cell[] => JSON.parse(fs.readFileSync(path.join(out, `${name}.ipynb`), "utf8")).cells;
  const report = (name: string) => JSON.parse(fs.readFileSync(path.join(out, `${name}.report.json`), "utf8"));
  const html = (name: string) => fs.readFileSync(path.join(out, `${name}.html`), "utf8");
  return { ...r, out, cells, report, html };
}

type Run = ReturnType<typeof course>;

/** Processes whose command line matches, from /proc. */
function processes(match: (cmdline: string) => boolean): string[] {
  return fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return match(fs.readFileSync(`/proc/${p}/cmdline`, "utf8"));
    } catch {
      return false;
    }
  });
}
/** The hang fixture's `sleep 613`. */
const sleeping613 = () => processes((c) => c === "sleep\u0000613\u0000");
/** The process running the hang fixture. */
const hangProcesses = () => processes((c) => c.includes("notebook-child") && c.includes(path.join(hostile, "hang.ipynb")));

function expectHealthyRan(r: Run): void {
  expect(r.stdout, JSON.stringify(r.cells("zz-healthy")[0].outputs)).toMatch(/zz-healthy .* ok/);
  expect(r.cells("zz-healthy")[1].outputs).toEqual([{ output_type: "stream", name: "stdout", text: HEALTHY }]);
  expect(r.report("zz-healthy").errors).toEqual([]);
}

// Each run starts a process per notebook on a shared 2-core machine: longer than vitest's default.
const LONG = 170_000;

describe("npm run course: one process per notebook", () => {
  it("a notebook that replaces Math.random, Array.prototype.map and tfjs's Add kernel does not break the next", () => {
    const r = course(["--only", "globals,zz-healthy"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.cells("globals")[1].outputs).toEqual([{ output_type: "stream", name: "stdout", text: "globals replaced\n" }]);
    expectHealthyRan(r);
  }, LONG);

  it("process.exit in a cell fails that notebook only, keeping the cells before it and naming the cell", () => {
    const r = course(["--only", "exit,zz-healthy"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: exit, cell 2: ProcessExitError: the notebook's process ended with exit code 0 while cell 2 ran");
    const cells = r.cells("exit");
    expect(cells[0].outputs).toEqual([{ output_type: "stream", name: "stdout", text: "before the exit\n" }]);
    expect(cells[1].outputs[0]).toEqual({ output_type: "stream", name: "stdout", text: "leaving\n" });
    expect(cells[1].outputs[1]).toMatchObject({ output_type: "error", ename: "ProcessExitError" });
    expect(cells[2].outputs).toEqual([]);
    expect(r.report("exit").errors).toEqual([expect.stringContaining("exit, cell 2: ProcessExitError")]);
    expect(r.html("exit")).toContain("before the exit");
    expectHealthyRan(r);
  }, LONG);

  it("a timer that keeps throwing stays in its own notebook", () => {
    const r = course(["--only", "timer,zz-healthy"]);
    expect(r.cells("timer")[1].outputs.find((o) => o.name === "stderr")?.text).toContain("a timer of the timer notebook threw");
    expectHealthyRan(r);
  }, LONG);

  it("an error thrown by a timer after the last cell fails that notebook, on that cell", () => {
    const r = course(["--only", "late", "--no-html"]);
    expect(r.status, r.stdout).toBe(1);
    expect(r.stderr).toContain("error: late, cell 1: Error: thrown by a timer after its cell ended (after the cell had ended)");
    expect(r.cells("late")[0].outputs).toEqual([
      { output_type: "stream", name: "stdout", text: "timer armed\n" },
      expect.objectContaining({ output_type: "error", ename: "Error", evalue: "thrown by a timer after its cell ended" }),
    ]);
  }, LONG);

  it("a notebook that exhausts memory fails alone, with the cell that was running", () => {
    // A small heap so the allocation fails in seconds; children inherit NODE_OPTIONS.
    const r = course(["--only", "memory,zz-healthy"], { NODE_OPTIONS: "--max-old-space-size=600" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: memory, cell 2: OutOfMemoryError: the notebook's process ran out of memory while cell 2 ran");
    expect(r.cells("memory")[0].outputs).toEqual([{ output_type: "stream", name: "stdout", text: "before the allocation\n" }]);
    expect(r.cells("memory")[1].outputs.at(-1)).toMatchObject({ output_type: "error", ename: "OutOfMemoryError" });
    expectHealthyRan(r);
  }, LONG);

  it("a cell that hangs where no interrupt reaches it is ended with its process at its time limit", () => {
    const r = course(["--only", "hang,zz-healthy"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error: hang, cell 2: TimeoutError: the cell ran longer than 2 s, did not stop when interrupted, and its process was ended/);
    const report = r.report("hang");
    expect(report.cellSeconds.map((c: { cell: number }) => c.cell)).toEqual([1, 2]);
    expect(report.cellSeconds[1].seconds).toBeGreaterThanOrEqual(2);
    expect(r.cells("hang")[1].outputs.at(-1)).toMatchObject({ output_type: "error", ename: "TimeoutError" });
    // The program the cell started went with the notebook's process group.
    expect(sleeping613()).toEqual([]);
    expectHealthyRan(r);
  }, LONG);

  it("--jobs 2 runs notebooks side by side, each in its own process", () => {
    const r = course(["--only", "globals,exit,zz-healthy", "--jobs", "2", "--no-html"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/3 notebook\(s\) in .* s; 1 failed/);
    expect(r.stderr).toContain("error: exit, cell 2: ProcessExitError");
    expectHealthyRan(r);
  }, LONG);

  it("a runner killed outright takes its notebook's process and the programs it started with it", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-isolation-"));
    const runner = spawn(process.execPath, [path.join(root, "dist/runner/course.js"), "--dir", hostile, "--only", "hang", "--timeout", "600", "--no-html", "--out", out], { cwd: root, stdio: "ignore" });
    const deadline = Date.now() + 120_000;
    while (sleeping613().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(sleeping613().length).toBe(1);
    runner.kill("SIGKILL");
    const gone = Date.now() + 20_000;
    while ((sleeping613().length > 0 || hangProcesses().length > 0) && Date.now() < gone) await new Promise((r) => setTimeout(r, 200));
    expect(hangProcesses()).toEqual([]);
    expect(sleeping613()).toEqual([]);
  }, LONG);

  it("names a bad --jobs", () => {
    const r = course(["--jobs", "zero"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--jobs: expected a whole number of notebooks to run at once (1 or more), got zero");
  }, LONG);
});
