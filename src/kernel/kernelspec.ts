/**
 * Registers the rnnlab kernel with Jupyter by writing its kernelspec (kernel.json) — no
 * Python needed.
 *
 *   npm run kernel:install                      same as --user
 *   npm run kernel:install -- --user            the user's Jupyter data dir
 *   npm run kernel:install -- --prefix P        P/share/jupyter/kernels/rnnlab
 *   npm run kernel:install -- --sys-prefix      the environment that `jupyter` runs in
 *
 * `npm start` uses a registration inside the project (build/jupyter) and points JUPYTER_PATH
 * at it, so the user's own Jupyter configuration is left alone.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const KERNEL_NAME = "rnnlab";
const ROOT = path.resolve(__dirname, "../..");

export function kernelJson(): Record<string, unknown> {
  return {
    // --no-force-async-hooks-checks: see interrupter-thread.ts (stopping a cell in a timer callback).
    argv: [process.execPath, "--no-force-async-hooks-checks", path.join(ROOT, "dist", "kernel", "main.js"), "{connection_file}"],
    display_name: "TypeScript (rnnlab)",
    language: "typescript",
    interrupt_mode: "signal",
    env: {},
    metadata: { debugger: false },
  };
}

/** Jupyter's per-user data dir, as jupyter_core computes it. */
export function userDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === "darwin") return path.join(os.homedir(), "Library", "Jupyter");
  if (process.platform === "win32") return path.join(process.env.APPDATA ?? os.homedir(), "jupyter");
  return path.join(process.env.XDG_DATA_HOME ?? path.join(os.homedir(), ".local", "share"), "jupyter");
}

/** The prefix of the Python environment `jupyter` runs in (sys.prefix), without running Python. */
function sysPrefix(): string {
  const env = process.env.CONDA_PREFIX ?? process.env.VIRTUAL_ENV;
  if (env) return env;
  try {
    const jupyter = execFileSync("sh", ["-c", "command -v jupyter"], { encoding: "utf8" }).trim();
    if (jupyter) return path.dirname(path.dirname(fs.realpathSync(jupyter)));
  } catch {
    // fall through
  }
  throw new Error("kernel:install: --sys-prefix: expected an active Python environment (VIRTUAL_ENV or CONDA_PREFIX) or `jupyter` on PATH, found neither. Use --user or --prefix P.");
}

/** Writes kernels/rnnlab/kernel.json under `dataDir` and returns the spec's folder. */
export function writeKernelspec(dataDir: string): string {
  const dir = path.join(dataDir, "kernels", KERNEL_NAME);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(kernelJson(), null, 2) + "\n");
  return dir;
}

/** The project-local registration `npm start` uses (JUPYTER_PATH=build/jupyter). */
export function projectJupyterPath(): string {
  const dataDir = path.join(ROOT, "build", "jupyter");
  writeKernelspec(dataDir);
  return dataDir;
}

export function dataDirFor(argv: string[]): string {
  if (argv.length === 0 || (argv.length === 1 && argv[0] === "--user")) return userDataDir();
  if (argv[0] === "--prefix") {
    if (!argv[1]) throw new Error("kernel:install: --prefix: expected a folder after it, got nothing.");
    return path.join(path.resolve(argv[1]), "share", "jupyter");
  }
  if (argv.length === 1 && argv[0] === "--sys-prefix") return path.join(sysPrefix(), "share", "jupyter");
  throw new Error(`kernel:install: expected --user, --prefix P or --sys-prefix, got ${argv.join(" ")}.`);
}

if (require.main === module) {
  try {
    const dir = writeKernelspec(dataDirFor(process.argv.slice(2)));
    console.log(`Installed the "TypeScript (rnnlab)" kernel in ${dir}`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
}
