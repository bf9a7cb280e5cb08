/**
 * Installs the course for every user of a machine, for the hub (run as root, after `npm run build`):
 *
 *   npm run hub:install -- [--prefix /opt/rnnlab] [--kernel-prefix /usr/local] [--bin /usr/local/bin]
 *
 *  - the built project (dist/, package.json, notebooks/, datasets/, node_modules/) into PREFIX, readable by
 *    all: a checkout is often in a folder other users cannot enter (a home, a mktemp folder);
 *  - the rnnlab kernelspec into KERNEL-PREFIX/share/jupyter/kernels/rnnlab, written by the
 *    installed copy's kernelspec.ts, so the kernel runs PREFIX/dist/kernel/main.js; the kernel
 *    imports "rnnlab" from any folder (rnnlab-anywhere.ts) through PREFIX/node_modules/rnnlab;
 *  - `rnnlab-exchange` (the exchange's command line, PREFIX/bin, linked from BIN).
 * node_modules is hard-linked where PREFIX is on the same file system (npm replaces files, it
 * never rewrites them in place), copied otherwise.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../../..");

export interface HubInstall {
  prefix: string;
  kernelPrefix: string;
  bin: string | null;
}

export function parseInstallArgs(argv: string[]): HubInstall {
  const out: HubInstall = { prefix: "/opt/rnnlab", kernelPrefix: "/usr/local", bin: "/usr/local/bin" };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--no-bin") {
      out.bin = null;
      continue;
    }
    const value = argv[i + 1];
    const key = ({ "--prefix": "prefix", "--kernel-prefix": "kernelPrefix", "--bin": "bin" } as const)[flag as "--prefix"];
    if (!key) throw new Error(`hub:install: expected --prefix DIR, --kernel-prefix DIR, --bin DIR or --no-bin, got ${JSON.stringify(flag)}.`);
    if (value === undefined || value.startsWith("--")) throw new Error(`hub:install: ${flag}: expected a folder after it, got ${value ?? "nothing"}.`);
    out[key] = path.resolve(value);
    i++;
  }
  return out;
}

function copyTree(from: string, to: string, hardLink: boolean): void {
  fs.rmSync(to, { recursive: true, force: true });
  execFileSync("cp", [hardLink ? "-al" : "-a", from, to]);
}

/** Every folder from `dir` up to / must be enterable by all, or other users cannot reach the install. */
function checkReachable(dir: string): void {
  for (let d = dir; ; d = path.dirname(d)) {
    const mode = fs.statSync(d).mode;
    if ((mode & 0o001) === 0) throw new Error(`hub:install: --prefix: expected a folder every user can enter, got ${dir}, whose parent ${d} has mode ${(mode & 0o7777).toString(8)}.`);
    if (path.dirname(d) === d) return;
  }
}

export function installForHub(opts: HubInstall, root = ROOT): string[] {
  const built = path.join(root, "dist", "kernel", "main.js");
  if (!fs.existsSync(built)) throw new Error(`hub:install: expected the built project (${built}), got nothing there; run npm run build.`);
  const { prefix } = opts;
  fs.mkdirSync(prefix, { recursive: true, mode: 0o755 });
  fs.chmodSync(prefix, 0o755);
  checkReachable(prefix);
  const sameDevice = fs.statSync(prefix).dev === fs.statSync(path.join(root, "node_modules")).dev;
  for (const part of ["dist", "notebooks", "datasets"]) copyTree(path.join(root, part), path.join(prefix, part), false);
  fs.copyFileSync(path.join(root, "package.json"), path.join(prefix, "package.json"));
  copyTree(path.join(root, "node_modules"), path.join(prefix, "node_modules"), sameDevice);
  // node_modules/rnnlab → the installed project (link-package.ts does the same in a checkout).
  fs.rmSync(path.join(prefix, "node_modules", "rnnlab"), { recursive: true, force: true });
  fs.symlinkSync("..", path.join(prefix, "node_modules", "rnnlab"));
  execFileSync("chmod", ["-R", "a+rX", prefix]);

  const done = [`project: ${prefix}`];
  const kernelDir = execFileSync(process.execPath, [path.join(prefix, "dist", "kernel", "kernelspec.js"), "--prefix", opts.kernelPrefix], { encoding: "utf8" }).trim();
  done.push(kernelDir);
  fs.mkdirSync(path.join(prefix, "bin"), { recursive: true });
  const exchange = path.join(prefix, "bin", "rnnlab-exchange");
  fs.writeFileSync(exchange, `#!/bin/sh\n# The course's exchange (npm run exchange) for every user of this machine.\nexec ${process.execPath} ${path.join(prefix, "dist", "grading", "exchange", "cli.js")} "$@"\n`, { mode: 0o755 });
  fs.chmodSync(exchange, 0o755);
  done.push(`exchange: ${exchange}`);
  if (opts.bin) {
    fs.mkdirSync(opts.bin, { recursive: true });
    const link = path.join(opts.bin, "rnnlab-exchange");
    fs.rmSync(link, { force: true });
    fs.symlinkSync(exchange, link);
    done.push(`exchange: ${link}`);
  }
  return done;
}

if (require.main === module) {
  try {
    for (const line of installForHub(parseInstallArgs(process.argv.slice(2)))) console.log(`hub:install: ${line}`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
}
