import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const fixtures = path.join(__dirname, "fixtures");

/**
 * A stand-in `jupyter` on PATH: answers `--version` for the apps it is told to have, and for a
 * launch records its arguments, JUPYTER_PATH and the kernelspec it can see, then exits.
 */
function fakeJupyter(apps: string[]): { bin: string; log: string } {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-fake-jupyter-"));
  const log = path.join(bin, "launch.json");
  const script = `#!/usr/bin/env node
const fs = require("fs"), path = require("path");
const [app, ...rest] = process.argv.slice(2);
if (!${JSON.stringify(apps)}.includes(app)) process.exit(1);
if (rest[0] === "--version") { console.log("9.9.9"); process.exit(0); }
const dirs = (process.env.JUPYTER_PATH || "").split(path.delimiter).filter(Boolean);
const spec = dirs.map((d) => path.join(d, "kernels", "rnnlab", "kernel.json")).find((f) => fs.existsSync(f));
fs.writeFileSync(${JSON.stringify(log)}, JSON.stringify({ app, rest, spec: spec && JSON.parse(fs.readFileSync(spec, "utf8")) }));
`;
  fs.writeFileSync(path.join(bin, "jupyter"), script, { mode: 0o755 });
  return { bin, log };
}

// The project's own JupyterLab venv (npm run setup:lab) would win over the fake on PATH.
const NO_VENV = path.join(os.tmpdir(), "rnnlab-no-such-venv");

function start(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [path.join(root, "dist/runner/start.js"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, RNNLAB_LAB_VENV: NO_VENV, ...env }, timeout: 120_000 });
}

describe("npm start", () => {
  it("opens JupyterLab when it is installed, on the course folder, with the project-local rnnlab kernel", () => {
    const fake = fakeJupyter(["lab", "notebook"]);
    const r = start(["--no-browser"], { PATH: `${fake.bin}${path.delimiter}${process.env.PATH}`, RNNLAB_NO_JUPYTER: "" });
    expect(r.status, r.stderr).toBe(0);
    const launch = JSON.parse(fs.readFileSync(fake.log, "utf8"));
    expect(launch.app).toBe("lab");
    const dir = launch.rest.find((a: string) => a.startsWith("--notebook-dir="));
    expect(["notebooks", "solutions"]).toContain(path.basename(dir.split("=")[1]));
    expect(launch.rest).toContain("--no-browser");
    expect(launch.spec).toMatchObject({ display_name: "TypeScript (rnnlab)", language: "typescript" });
    expect(launch.spec.argv.slice(-2)).toEqual([path.join(root, "dist/kernel/main.js"), "{connection_file}"]);
    expect(r.stdout).toContain("TypeScript (rnnlab)");
  });

  it("prefers JupyterLab from the project's venv (npm run setup:lab) to a jupyter on PATH", () => {
    const venvFake = fakeJupyter(["lab", "notebook"]);
    const venv = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-fake-venv-"));
    fs.symlinkSync(venvFake.bin, path.join(venv, "bin"));
    const pathFake = fakeJupyter(["lab", "notebook"]);
    const r = start(["--no-browser"], { PATH: `${pathFake.bin}${path.delimiter}${process.env.PATH}`, RNNLAB_NO_JUPYTER: "", RNNLAB_LAB_VENV: venv });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(venvFake.log, "utf8")).app).toBe("lab");
    expect(fs.existsSync(pathFake.log)).toBe(false);
  });

  it("falls back to the classic Notebook when there is no JupyterLab", () => {
    const fake = fakeJupyter(["notebook"]);
    const r = start([], { PATH: `${fake.bin}${path.delimiter}${process.env.PATH}`, RNNLAB_NO_JUPYTER: "" });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(fake.log, "utf8")).app).toBe("notebook");
  });

  it("without Jupyter runs the course headless, says where the HTML is and how to install Jupyter", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-start-"));
    const r = start(["--dir", fixtures, "--only", "outputs", "--out", out], { RNNLAB_NO_JUPYTER: "1" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("Jupyter was not found");
    expect(r.stdout).toContain(path.join(path.relative(root, out), "index.html"));
    expect(r.stdout).toMatch(/pip install .*jupyterlab/);
    expect(r.stdout).toMatch(/apt-get install -y jupyter-notebook/);
    expect(fs.existsSync(path.join(out, "outputs.html"))).toBe(true);
  });

  it("`npm start -- ARGS` hands ARGS to the runner (the package script's build check must pass them on)", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-start-"));
    const npm = spawnSync("npm", ["start", "--silent", "--", "--dir", fixtures, "--only", "slow-cell", "--out", out, "--no-html"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, RNNLAB_LAB_VENV: NO_VENV, RNNLAB_NO_JUPYTER: "1" },
      timeout: 300_000,
    });
    expect(npm.status, npm.stderr).toBe(0);
    expect(npm.stdout).toMatch(/^slow-cell .* ok/m);
    expect(fs.readdirSync(out).sort()).toEqual(["slow-cell.ipynb", "slow-cell.report.json"]);
  }, 320_000); // npm start may build first

  it("headless, a failing notebook makes it exit non-zero with the error", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-start-"));
    const r = start(["--dir", path.join(fixtures, "broken"), "--only", "runtime", "--out", out, "--no-html"], { RNNLAB_NO_JUPYTER: "1" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("RangeError: index 7 is out of range");
  });
});
