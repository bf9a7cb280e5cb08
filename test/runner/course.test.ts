import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const fixtures = path.join(__dirname, "fixtures");

/** `npm run course` as a user runs it (the built runner), into a fresh output folder. */
function course(args: string[]) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-course-"));
  const r = spawnSync(process.execPath, [path.join(root, "dist/runner/course.js"), ...args, "--out", out], { encoding: "utf8", cwd: root, timeout: 120_000 });
  const nb = (name: string) => JSON.parse(fs.readFileSync(path.join(out, `${name}.ipynb`), "utf8"));
  return { ...r, out, nb };
}

describe("npm run course", () => {
  it("executes cells into nbformat outputs: streams, rich results, in-place updates", () => {
    const r = course(["--dir", fixtures, "--only", "outputs"]);
    expect(r.status, r.stderr).toBe(0);
    const cells = r.nb("outputs").cells.filter((c: { cell_type: string }) => c.cell_type === "code");
    expect(cells.map((c: { execution_count: number }) => c.execution_count)).toEqual([1, 2, 3, 4, 5]);
    expect(cells[0].outputs).toEqual([
      { output_type: "stream", name: "stdout", text: "hello from the cell\n" },
      { output_type: "stream", name: "stderr", text: "a warning\n" },
    ]);
    const tensor = cells[1].outputs[0];
    expect(tensor.output_type).toBe("execute_result");
    expect(tensor.execution_count).toBe(2);
    expect(tensor.data["text/plain"]).toMatch(/^Tensor \[3\] float32/);
    expect(tensor.data["text/html"]).toContain("<table>");
    const chart = cells[2].outputs[0].data;
    expect(Object.keys(chart).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/png", "text/plain"]);
    expect(chart["application/vnd.vegalite.v5+json"].$schema).toMatch(/vega-lite\/v5/);
    expect(chart["image/png"]).toMatch(/^iVBORw0KGgo/); // base64 of the PNG signature
    expect(cells[3].outputs).toHaveLength(1); // the update replaced the first display
    expect(cells[3].outputs[0].data["text/plain"]).toBe("second");
    expect(cells[4].outputs[0].data["text/plain"]).toBe("{ answer: 42 }");
    const html = fs.readFileSync(path.join(r.out, "outputs.html"), "utf8");
    expect(html).toContain('<div class="out png"><img alt="" src="data:image/png;base64,iVBORw0KGgo');
    expect(html).toContain('class="katex"');
    expect(fs.readFileSync(path.join(r.out, "index.html"), "utf8")).toContain('href="outputs.html"');
    expect(fs.existsSync(path.join(r.out, "assets/katex/katex.min.css"))).toBe(true);
  });

  it("fails on an error, naming the notebook, the cell and the message, and stops that notebook", () => {
    const r = course(["--dir", path.join(fixtures, "broken"), "--only", "runtime", "--no-html"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: runtime, cell 2: RangeError: index 7 is out of range");
    const cells = r.nb("runtime").cells;
    const err = cells[1].outputs.find((o: { output_type: string }) => o.output_type === "error");
    expect(err).toMatchObject({ ename: "RangeError", evalue: "index 7 is out of range" });
    expect(err.traceback[0]).toBe("RangeError: index 7 is out of range");
    expect(cells[2].outputs).toEqual([]);
    expect(fs.existsSync(path.join(r.out, "runtime.html"))).toBe(false);
  });

  it("interrupts a cell that runs past the timeout", () => {
    const t0 = Date.now();
    const r = course(["--dir", path.join(fixtures, "broken"), "--only", "loop", "--timeout", "2", "--no-html"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: loop, cell 1: TimeoutError: the cell ran longer than 2 s and was interrupted");
    expect(Date.now() - t0).toBeLessThan(60_000);
  });

  it("stops a cell that blocks after an await once it runs past the timeout (SIGINT cannot reach it)", () => {
    const r = course(["--dir", path.join(fixtures, "broken"), "--only", "blocked", "--timeout", "2", "--no-html"]);
    // spawnSync gives up after 120 s: a cell that is never stopped fails here with status null.
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain("error: blocked, cell 1: TimeoutError: the cell ran longer than 2 s and was interrupted");
  });

  it("a notebook stopped at its time limit in the middle of training does not fail the next one", () => {
    const r = course(["--dir", path.join(fixtures, "isolation"), "--timeout", "4", "--no-html"]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain("error: 01-stuck, cell 2: TimeoutError");
    expect(r.stdout).toMatch(/02-train .* ok/);
    expect(r.nb("02-train").cells[1].outputs).toEqual([{ output_type: "stream", name: "stdout", text: "trained true true 1\n" }]);
  });

  it("lets a cell's metadata raise its time limit, and reports each cell's time", () => {
    const r = course(["--dir", fixtures, "--only", "slow-cell", "--timeout", "1", "--no-html"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.nb("slow-cell").cells[0].outputs[0].text).toBe("long cell done\n");
    const report = JSON.parse(fs.readFileSync(path.join(r.out, "slow-cell.report.json"), "utf8"));
    expect(report.cellSeconds.map((c: { cell: number }) => c.cell)).toEqual([1, 2]);
    expect(report.cellSeconds[0].seconds).toBeGreaterThan(report.cellSeconds[1].seconds);
    expect(r.stdout).toMatch(/slowest: cell 1 /);
  });

  it("in student versions, an unsolved exercise is reported and the run goes on", () => {
    const r = course(["--dir", path.join(fixtures, "student"), "--no-html"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("not solved yet: exercise, cell 2 (test_square): square: not implemented yet");
    const last = r.nb("exercise").cells[2];
    expect(last.outputs[0].text).toBe("the rest of the notebook still runs\n");
  });

  it("names a bad argument", () => {
    const r = course(["--only", "no-such-notebook"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--only: expected part of a notebook name in .*solutions, got no-such-notebook/);
  });
});
