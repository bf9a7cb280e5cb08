/**
 * `npm start`: opens the course.
 *
 * - With Jupyter installed (JupyterLab from `npm run setup:lab`'s venv or PATH, else the classic
 *   Notebook; see jupyter-front-end.ts), it starts it on the course's notebooks with the rnnlab
 *   kernel, with Jupyter's config and data under build/ so the user's own setup is left alone.
 * - Without Jupyter (or with RNNLAB_NO_JUPYTER=1), it runs the course headless, says where the
 *   HTML is, and how to install Jupyter. Arguments after `--` go to the runner (`--only 01`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs, runCourse } from "./course";
import { findFrontEnd, openFrontEnd } from "./jupyter-front-end";

const ROOT = path.resolve(__dirname, "../..");

/** notebooks/ once released; the solutions before that. */
export function courseFolder(): string {
  const student = path.join(ROOT, "notebooks");
  const has = (d: string) => fs.existsSync(d) && fs.readdirSync(d).some((f) => f.endsWith(".ipynb"));
  return has(student) ? student : path.join(ROOT, "solutions");
}

async function runHeadless(extra: string[]): Promise<void> {
  console.log("Jupyter was not found, so the course runs headless and is written as an HTML site.\n");
  const options = parseArgs(extra);
  const reports = await runCourse(options);
  const failed = reports.filter((r) => r.errors.length);
  console.log(`\nOpen ${path.relative(process.cwd(), path.join(options.out, "index.html"))} in a browser to read the executed course.`);
  console.log("To work in the notebooks, install Jupyter (see environment.md):");
  console.log("  npm run setup:lab    # JupyterLab: python3 -m venv build/jupyterlab-venv && …/bin/pip install jupyterlab notebook");
  console.log("  sudo apt-get install -y jupyter-notebook                  # or Debian's classic Notebook");
  console.log("then run `npm start` again.");
  for (const r of failed) for (const e of r.errors) console.error(`error: ${e}`);
  process.exit(failed.length ? 1 : 0);
}

if (require.main === module) {
  const extra = process.argv.slice(2);
  const frontEnd = findFrontEnd();
  if (frontEnd) openFrontEnd(frontEnd, courseFolder(), extra);
  else
    runHeadless(extra).catch((err) => {
      console.error((err as Error).message);
      process.exit(2);
    });
}
