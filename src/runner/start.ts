/**
 * `npm start`: opens the course.
 *
 * - With Jupyter installed (`jupyter lab`, else `jupyter notebook`), it starts it on the
 *   course's notebooks with the rnnlab kernel, registered inside the project (build/jupyter,
 *   via JUPYTER_PATH) so the user's own Jupyter configuration is left alone.
 * - Without Jupyter (or with RNNLAB_NO_JUPYTER=1), it runs the course headless, says where the
 *   HTML is, and how to install Jupyter. Arguments after `--` go to the runner (`--only 01`).
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { projectJupyterPath } from "../kernel/kernelspec";
import { parseArgs, runCourse } from "./course";

const ROOT = path.resolve(__dirname, "../..");

export type JupyterApp = "lab" | "notebook";

/** The Jupyter front end to open, or undefined when none is installed. */
export function findJupyter(env: NodeJS.ProcessEnv = process.env): JupyterApp | undefined {
  if (env.RNNLAB_NO_JUPYTER) return undefined;
  for (const app of ["lab", "notebook"] as const) {
    const r = spawnSync("jupyter", [app, "--version"], { env, encoding: "utf8", timeout: 30_000 });
    if (r.status === 0) return app;
  }
  return undefined;
}

/** notebooks/ once released; the solutions before that. */
export function courseFolder(): string {
  const student = path.join(ROOT, "notebooks");
  const has = (d: string) => fs.existsSync(d) && fs.readdirSync(d).some((f) => f.endsWith(".ipynb"));
  return has(student) ? student : path.join(ROOT, "solutions");
}

function openJupyter(app: JupyterApp, extra: string[]): void {
  const dataDir = projectJupyterPath();
  const env = { ...process.env, JUPYTER_PATH: [dataDir, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter) };
  const folder = courseFolder();
  console.log(`Opening Jupyter ${app === "lab" ? "Lab" : "Notebook"} on ${path.relative(process.cwd(), folder) || "."} with the "TypeScript (rnnlab)" kernel.`);
  // Jupyter refuses to run as root without this flag; containers and CI often are root.
  const asRoot = process.getuid?.() === 0 && !extra.includes("--allow-root") ? ["--allow-root"] : [];
  const child = spawn("jupyter", [app, `--notebook-dir=${folder}`, ...asRoot, ...extra], { env, stdio: "inherit" });
  child.on("exit", (code) => process.exit(code ?? 0));
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
}

async function runHeadless(extra: string[]): Promise<void> {
  console.log("Jupyter was not found, so the course runs headless and is written as an HTML site.\n");
  const options = parseArgs(extra);
  const reports = await runCourse(options);
  const failed = reports.filter((r) => r.errors.length);
  console.log(`\nOpen ${path.relative(process.cwd(), path.join(options.out, "index.html"))} in a browser to read the executed course.`);
  console.log("To work in the notebooks, install Jupyter (see environment.md):");
  console.log("  python3 -m pip install --user jupyterlab                  # JupyterLab");
  console.log("  sudo apt-get install -y jupyter-notebook                  # or Debian's classic Notebook");
  console.log("then run `npm start` again.");
  for (const r of failed) for (const e of r.errors) console.error(`error: ${e}`);
  process.exit(failed.length ? 1 : 0);
}

if (require.main === module) {
  const extra = process.argv.slice(2);
  const app = findJupyter();
  if (app) openJupyter(app, extra);
  else
    runHeadless(extra).catch((err) => {
      console.error((err as Error).message);
      process.exit(2);
    });
}
