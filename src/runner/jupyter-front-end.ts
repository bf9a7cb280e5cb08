/**
 * Which Jupyter front end `npm start` opens, and the environment it runs in.
 *
 * Order: JupyterLab from the project's own venv (`npm run setup:lab` makes build/jupyterlab-venv),
 * then a `jupyter lab` on PATH, then a `jupyter notebook` on PATH (Debian's classic Notebook 6.4),
 * then none (the caller runs the course headless). RNNLAB_JUPYTER=lab|notebook insists on one
 * front end; RNNLAB_NO_JUPYTER=1 asks for none; RNNLAB_LAB_VENV names another venv (tests).
 *
 * Every Jupyter directory that would otherwise be the user's own (~/.jupyter for config, lab
 * settings and workspaces, ~/.local/share/jupyter for data and runtime files) is pointed into
 * build/, so opening the course neither reads nor changes the user's Jupyter setup; the rnnlab
 * kernelspec comes from build/jupyter through JUPYTER_PATH.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { projectJupyterPath } from "../kernel/kernelspec";

const ROOT = path.resolve(__dirname, "../..");

/** The venv `npm run setup:lab` creates. */
export const LAB_VENV = path.join(ROOT, "build", "jupyterlab-venv");

function labVenv(env: NodeJS.ProcessEnv): string {
  return env.RNNLAB_LAB_VENV ? path.resolve(env.RNNLAB_LAB_VENV) : LAB_VENV;
}

export type JupyterApp = "lab" | "notebook";

export interface FrontEnd {
  app: JupyterApp;
  /** The `jupyter` executable to run `jupyter <app>` with. */
  jupyter: string;
  /** Where it came from, for the message `npm start` prints. */
  origin: string;
}

function venvJupyter(venv = LAB_VENV): string {
  return process.platform === "win32" ? path.join(venv, "Scripts", "jupyter.exe") : path.join(venv, "bin", "jupyter");
}

function runs(jupyter: string, app: JupyterApp, env: NodeJS.ProcessEnv): boolean {
  const r = spawnSync(jupyter, [app, "--version"], { env, encoding: "utf8", timeout: 30_000 });
  return r.status === 0;
}

/** The front end to open, or undefined when no Jupyter is installed. */
export function findFrontEnd(env: NodeJS.ProcessEnv = process.env): FrontEnd | undefined {
  if (env.RNNLAB_NO_JUPYTER) return undefined;
  const wanted = env.RNNLAB_JUPYTER;
  if (wanted && wanted !== "lab" && wanted !== "notebook") throw new Error(`npm start: RNNLAB_JUPYTER: expected lab or notebook, got ${wanted}.`);
  const venvDir = labVenv(env);
  const venv = venvJupyter(venvDir);
  const origin = path.relative(process.cwd(), venvDir) || venvDir;
  const candidates: FrontEnd[] = [
    { app: "lab", jupyter: venv, origin },
    { app: "lab", jupyter: "jupyter", origin: "PATH" },
    { app: "notebook", jupyter: venv, origin },
    { app: "notebook", jupyter: "jupyter", origin: "PATH" },
  ];
  const jupyterEnv = isolatedJupyterEnv(env);
  for (const c of candidates) {
    if (wanted && c.app !== wanted) continue;
    if (c.jupyter === venv && !fs.existsSync(venv)) continue;
    if (runs(c.jupyter, c.app, jupyterEnv)) return c;
  }
  return undefined;
}

/** The environment for Jupyter: config, data, runtime and lab settings under build/, the rnnlab
 *  kernelspec first on JUPYTER_PATH. */
export function isolatedJupyterEnv(env: NodeJS.ProcessEnv = process.env, root = path.join(ROOT, "build")): NodeJS.ProcessEnv {
  const kernels = projectJupyterPath();
  return {
    ...env,
    JUPYTER_CONFIG_DIR: path.join(root, "jupyter-config"),
    JUPYTER_DATA_DIR: path.join(root, "jupyter-data"),
    JUPYTER_RUNTIME_DIR: path.join(root, "jupyter-data", "runtime"),
    JUPYTERLAB_SETTINGS_DIR: path.join(root, "jupyter-config", "lab", "user-settings"),
    JUPYTERLAB_WORKSPACES_DIR: path.join(root, "jupyter-config", "lab", "workspaces"),
    // Only the project's kernelspec and the environment's own share/jupyter (found by jupyter
    // itself): a JUPYTER_PATH the user set for their own work is not read.
    JUPYTER_PATH: kernels,
    // A venv's jupyter must not pick up packages from the user's site directory.
    PYTHONNOUSERSITE: "1",
  };
}

/** Arguments for `jupyter <app>` opening `folder`. */
export function frontEndArgs(app: JupyterApp, folder: string, extra: string[] = []): string[] {
  // Jupyter refuses to run as root without this flag; containers and CI often are root.
  const asRoot = process.getuid?.() === 0 && !extra.includes("--allow-root") ? ["--allow-root"] : [];
  return [app, `--notebook-dir=${folder}`, ...asRoot, ...extra];
}

/** Starts the front end on `folder` and exits with it. */
export function openFrontEnd(frontEnd: FrontEnd, folder: string, extra: string[]): void {
  const name = frontEnd.app === "lab" ? "JupyterLab" : "Jupyter Notebook";
  console.log(`Opening ${name} (from ${frontEnd.origin}) on ${path.relative(process.cwd(), folder) || "."} with the "TypeScript (rnnlab)" kernel.`);
  const child = spawn(frontEnd.jupyter, frontEndArgs(frontEnd.app, folder, extra), { env: isolatedJupyterEnv(), stdio: "inherit" });
  child.on("exit", (code) => process.exit(code ?? 0));
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
}
