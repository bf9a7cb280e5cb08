/**
 * `npm start`'s Jupyter runs in an environment that keeps the user's own Jupyter setup out of
 * it: every directory Jupyter reads or writes per user is under the project's build/.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { findFrontEnd, frontEndArgs, isolatedJupyterEnv } from "../../src/runner/jupyter-front-end";

const ROOT = path.resolve(__dirname, "../..");

describe("npm start's Jupyter environment", () => {
  it("puts config, data, runtime and lab settings under build/ and only the project's kernelspec on JUPYTER_PATH", () => {
    const env = isolatedJupyterEnv({ HOME: os.homedir(), JUPYTER_PATH: "/somewhere/of/the/users" });
    for (const key of ["JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR", "JUPYTER_PATH"]) {
      expect(env[key], key).toMatch(new RegExp(`^${path.join(ROOT, "build").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/`));
    }
    expect(fs.existsSync(path.join(env.JUPYTER_PATH!, "kernels", "rnnlab", "kernel.json"))).toBe(true);
  });

  it("Jupyter itself (Debian's jupyter_core) sees no per-user folder outside build/", () => {
    const env = isolatedJupyterEnv({ ...process.env });
    const r = spawnSync("/usr/bin/python3", ["-c", "import json, jupyter_core.paths as p; print(json.dumps({'config': p.jupyter_config_path(), 'data': p.jupyter_path(), 'runtime': p.jupyter_runtime_dir()}))"], { env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const paths = JSON.parse(r.stdout) as { config: string[]; data: string[]; runtime: string };
    const home = os.homedir();
    const personal = [...paths.config, ...paths.data, paths.runtime].filter((p) => p.startsWith(home + path.sep) && !p.startsWith(ROOT));
    expect(personal).toEqual([]);
    expect(paths.data.slice(0, 2)).toEqual([path.join(ROOT, "build", "jupyter"), path.join(ROOT, "build", "jupyter-data")]);
  });

  it("RNNLAB_NO_JUPYTER means no front end (npm start then runs the course headless)", () => {
    expect(findFrontEnd({ ...process.env, RNNLAB_NO_JUPYTER: "1" })).toBeUndefined();
  });

  it("passes the course folder and, as root, --allow-root", () => {
    const args = frontEndArgs("lab", "/course");
    expect(args.slice(0, 2)).toEqual(["lab", "--notebook-dir=/course"]);
    expect(args.includes("--allow-root")).toBe(process.getuid?.() === 0);
  });
});
