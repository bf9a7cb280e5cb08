/**
 * The folder a batch's submissions run in, and the Node permission flags that confine them.
 *
 *   <root>/build/grader-runtime/<run>/
 *     node_modules/          hard links to the project's packages (no symlinks, see below)
 *     node_modules/rnnlab/   a real copy of package.json, dist/ and datasets/
 *     work-<n>/              one submission's scratch folder for the student's process
 *     tests-<n>/             the test process's scratch folder
 *     channel-<n>/           the two named pipes between them
 *
 * Why not grant the project's node_modules: node_modules/rnnlab is a symlink to the project
 * root, and Node 20's permission model follows symlinks. Measured on Node 20.20: with a folder
 * granted that holds a symlink to a directory, `granted/a/b/link/../../secret` passes the check
 * (the path is checked as written, normalised) and the kernel opens the link's target's
 * parent's `secret`. So every granted tree here is symlink-free: packages are hard-linked file
 * by file (same file system as the project), rnnlab is copied (1–2 MB).
 *
 * A submission may read node_modules (the library, its datasets, tslab, TypeScript, tfjs) and
 * its own work folder, and write only its work folder. No --allow-child-process, no
 * --allow-worker (timeouts come from the parent's SIGINT), no --allow-addons.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "../../..");

/** Recreates `src` at `dst` with hard links (copies across file systems); symlinks are left out. */
function linkTree(src: string, dst: string): void {
  fs.mkdirSync(dst, { recursive: true });
  for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
    const from = path.join(src, entry.name);
    const to = path.join(dst, entry.name);
    if (entry.isDirectory()) linkTree(from, to);
    else if (entry.isFile()) {
      try {
        fs.linkSync(from, to);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
        fs.copyFileSync(from, to);
      }
    }
  }
}

export interface Runtime {
  dir: string;
  nodeModules: string;
  /** The built workers inside the runtime: the student's process and the test process. */
  workers: { student: string; tests: string };
  /** New, empty folders for one submission: each process's own, and the channel's between them. */
  scratch(): SubmissionDirs;
  remove(): void;
}

export interface SubmissionDirs {
  student: string;
  tests: string;
  channel: string;
  remove(): void;
}

export function createRuntime(root = ROOT): Runtime {
  // RNNLAB_GRADER_SCRATCH moves it (same file system as node_modules, or packages are copied, not linked).
  const base = process.env.RNNLAB_GRADER_SCRATCH || path.join(root, "build", "grader-runtime");
  fs.mkdirSync(base, { recursive: true });
  const dir = fs.mkdtempSync(path.join(base, "run-"));
  const nodeModules = path.join(dir, "node_modules");
  const projectModules = path.join(root, "node_modules");
  for (const entry of fs.readdirSync(projectModules, { withFileTypes: true })) {
    // rnnlab is the project itself (a symlink); .bin holds symlinks; neither is needed.
    if (entry.name === "rnnlab" || entry.name === ".bin" || !entry.isDirectory()) continue;
    linkTree(path.join(projectModules, entry.name), path.join(nodeModules, entry.name));
  }
  const lib = path.join(nodeModules, "rnnlab");
  fs.mkdirSync(lib, { recursive: true });
  fs.copyFileSync(path.join(root, "package.json"), path.join(lib, "package.json"));
  fs.cpSync(path.join(root, "dist"), path.join(lib, "dist"), { recursive: true, dereference: true });
  fs.cpSync(path.join(root, "datasets"), path.join(lib, "datasets"), { recursive: true, dereference: true });
  const built = path.join(lib, "dist", "grading", "grader");
  const workers = { student: path.join(built, "student-worker.js"), tests: path.join(built, "tests-worker.js") };
  for (const w of Object.values(workers)) {
    if (!fs.existsSync(w)) throw new Error(`npm run grade: expected the built worker at ${path.relative(root, w)}, got nothing; run npm run build.`);
  }
  let count = 0;
  return {
    dir,
    nodeModules,
    workers,
    scratch() {
      const n = ++count;
      const dirs = { student: path.join(dir, `work-${n}`), tests: path.join(dir, `tests-${n}`), channel: path.join(dir, `channel-${n}`) };
      for (const d of Object.values(dirs)) fs.mkdirSync(d, { mode: 0o700 });
      return { ...dirs, remove: () => Object.values(dirs).forEach((d) => fs.rmSync(d, { recursive: true, force: true })) };
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Limits {
  /** V8 heap cap (--max-old-space-size), MB. */
  heapMb: number;
}

/**
 * The node arguments that run `worker` confined to the runtime's packages (read) and `own`
 * folders (read and write): its scratch folder and the channel.
 */
export function sandboxArgs(runtime: Runtime, worker: string, own: string[], limits: Limits): string[] {
  return [
    "--experimental-permission",
    `--allow-fs-read=${runtime.nodeModules}`,
    ...own.flatMap((d) => [`--allow-fs-read=${d}`, `--allow-fs-write=${d}`]),
    `--max-old-space-size=${limits.heapMb}`,
    "--no-warnings",
    worker,
  ];
}

/** A minimal environment: nothing of the grader's own environment reaches student code. */
export function sandboxEnv(runtime: Runtime): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    LANG: "C.UTF-8",
    TZ: "UTC",
    RNNLAB_DATASETS: path.join(runtime.nodeModules, "rnnlab", "datasets"),
  };
}
