/**
 * `import … from "rnnlab"` in a notebook in any folder, with its types.
 *
 * Inside this repository `node_modules/rnnlab` links to the project (link-package.ts), and both
 * Node and TypeScript find it by walking up from the notebook's folder. A kernel installed with
 * `--user`, `--prefix` or `--sys-prefix` runs notebooks anywhere, where that walk finds nothing.
 * So the kernel's cell engine falls back to this project's copy, in both places that resolve:
 *  - at run time, Node's resolver: a request for "rnnlab" (or "rnnlab/…") that fails from the
 *    notebook's folder is resolved from the project instead;
 *  - at type-check time, tslab's compiler (TypeScript with Node10 resolution, rooted at the
 *    kernel's cwd): paths under `<cwd>/node_modules/rnnlab/` are read from the project, the
 *    same way tslab itself forwards `<cwd>/node_modules/tslab/` to its own install. The
 *    library's declarations then find their own dependencies (tfjs) the same way, under the
 *    forwarded folder.
 * A folder that has its own rnnlab (a node_modules/rnnlab on the way up) keeps it: nothing is
 * forwarded there.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

function isRnnlabRequest(request: string): boolean {
  return request === "rnnlab" || request.startsWith("rnnlab/");
}

let runtimeInstalled = false;

/** Node: resolve "rnnlab" from the project when the notebook's folder does not have it. */
export function resolveRnnlabAnywhere(root = ROOT): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require("node:module") as { _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string };
  const original = mod._resolveFilename;
  mod._resolveFilename = function (request, parent, isMain, options) {
    try {
      return original.call(this, request, parent, isMain, options);
    } catch (err) {
      if (!isRnnlabRequest(request)) throw err;
      // The project's own folder stands for the package, so this works without the
      // node_modules/rnnlab link too (a plain `npm install <pkg>` removes it).
      return original.call(this, root + request.slice("rnnlab".length), parent, isMain, options);
    }
  };
}

/** Whether `rnnlab` resolves from `cwd` on its own (a node_modules/rnnlab on the way up). */
function resolvesFrom(cwd: string): boolean {
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "node_modules", "rnnlab", "package.json"))) return true;
    if (path.dirname(dir) === dir) return false;
  }
}

interface TsSys {
  fileExists(p: string): boolean;
  directoryExists(p: string): boolean;
  readFile(p: string, encoding?: string): string | undefined;
  realpath?(p: string): string;
  getDirectories(p: string): string[];
  readDirectory(p: string, ...rest: unknown[]): string[];
}

/**
 * TypeScript (tslab's bundled copy, found next to `converterPath`): read `<cwd>/node_modules/rnnlab/…`
 * from the project when `cwd` has no rnnlab of its own. Call before tslab's createConverter.
 */
export function forwardRnnlabTypes(converterPath: string, cwd = process.cwd(), root = ROOT): void {
  if (resolvesFrom(cwd)) return;
  const tsPath = require.resolve("@tslab/typescript-for-tslab", { paths: [path.dirname(converterPath)] });
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const sys = (require(tsPath) as { sys: TsSys & { __rnnlabForwarded?: boolean } }).sys;
  if (sys.__rnnlabForwarded) return;
  sys.__rnnlabForwarded = true;
  const virtual = path.join(cwd, "node_modules", "rnnlab");
  const forward = (p: string): string => {
    const rel = path.relative(virtual, p);
    return rel.startsWith("..") || path.isAbsolute(rel) ? p : path.join(root, rel);
  };
  const orig = { ...sys, fileExists: sys.fileExists, directoryExists: sys.directoryExists, readFile: sys.readFile, realpath: sys.realpath, getDirectories: sys.getDirectories, readDirectory: sys.readDirectory };
  sys.fileExists = (p) => orig.fileExists.call(sys, forward(p));
  // TypeScript checks that node_modules and the package folder exist before it looks inside.
  sys.directoryExists = (p) => p === path.join(cwd, "node_modules") || orig.directoryExists.call(sys, forward(p));
  sys.readFile = (p, encoding) => orig.readFile.call(sys, forward(p), encoding);
  sys.getDirectories = (p) => orig.getDirectories.call(sys, forward(p));
  sys.readDirectory = (p, ...rest) => orig.readDirectory.call(sys, forward(p), ...rest);
  // The forwarded files keep their virtual paths: a real path into the project would make their
  // own imports resolve from the project, outside what the program has seen under cwd.
  if (orig.realpath) sys.realpath = (p) => (forward(p) !== p ? p : orig.realpath!.call(sys, p));
}
