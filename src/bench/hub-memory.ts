/**
 * The hub's memory per active learner: `npm run bench:hub-memory -- [--learners N] [--steps S]`
 * (root, Debian's jupyterhub; see src/grading/hub/local-hub.ts).
 *
 * Starts the checked-in hub with N local learners, and in each learner's rnnlab kernel runs the
 * code cells of a course notebook, the teacher's solutions (a learner who did the exercises), up
 * to and including its training cell, all learners at once. Memory is read from /proc for each
 * learner's processes (every process of their uid: the notebook server, the kernel and its
 * threads): RSS, and PSS, which splits the pages processes share (node's code, Python's) between
 * them, so PSS sums over a class where RSS would count shared pages once per process.
 * Sampled every 0.5 s: with the server alone, after the cells before training, and the peak
 * during the training cell. The hub and its proxy are measured too.
 * --steps replaces the step count of the notebook's `trainLM(model, 1200)` call (the memory a
 * training loop holds does not grow with its length; the time does).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { logIn, runCell, type Learner } from "../grading/hub/hub-client";
import { installForHub } from "../grading/hub/install";
import { ensureLocalUser, removeLocalUser, startLocalHub, type LocalHub } from "../grading/hub/local-hub";

const ROOT = path.resolve(__dirname, "../..");

interface Options {
  learners: number;
  notebook: string;
  until: string;
  steps: number | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { learners: 2, notebook: path.join(ROOT, "solutions", "01-vanilla-rnn.ipynb"), until: "lm_train", steps: null };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`bench:hub-memory: ${flag}: expected a value after it, got nothing.`);
    if (flag === "--learners" || flag === "--steps") {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`bench:hub-memory: ${flag}: expected a positive whole number, got ${JSON.stringify(value)}.`);
      if (flag === "--learners") o.learners = n;
      else o.steps = n;
    } else if (flag === "--notebook") o.notebook = path.resolve(value);
    else if (flag === "--until") o.until = value;
    else throw new Error(`bench:hub-memory: expected --learners N, --steps S, --notebook FILE or --until GRADE_ID, got ${JSON.stringify(flag)}.`);
  }
  return o;
}

/** The code cells up to and including the one whose nbgrader grade_id is `until`. */
function cellsUntil(notebook: string, until: string, steps: number | null): string[] {
  const nb = JSON.parse(fs.readFileSync(notebook, "utf8")) as { cells: { cell_type: string; source: string | string[]; metadata: { nbgrader?: { grade_id?: string } } }[] };
  const out: string[] = [];
  for (const c of nb.cells) {
    if (c.cell_type !== "code") continue;
    let src = Array.isArray(c.source) ? c.source.join("") : c.source;
    if (c.metadata.nbgrader?.grade_id === until) {
      if (steps !== null) {
        const replaced = src.replace(/trainLM\(model, \d+\)/, `trainLM(model, ${steps})`);
        if (replaced === src) throw new Error(`bench:hub-memory: --steps: expected the cell ${until} to call trainLM(model, <steps>), found no such call.`);
        src = replaced;
      }
      return [...out, src];
    }
    out.push(src);
  }
  throw new Error(`bench:hub-memory: --until: expected a code cell with grade_id ${JSON.stringify(until)} in ${notebook}, found none.`);
}

interface Memory {
  rssMB: number;
  pssMB: number;
  processes: number;
}

function kB(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

/** RSS and PSS of every process whose real uid is `uid` (or whose pid is in `pids`). */
function memoryOf(select: (pid: number, uid: number) => boolean): Memory {
  const m: Memory = { rssMB: 0, pssMB: 0, processes: 0 };
  for (const name of fs.readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
      if (!select(pid, uid)) continue;
      m.rssMB += kB(status, "VmRSS") / 1024;
      m.pssMB += kB(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"), "Pss") / 1024;
      m.processes++;
    } catch {
      // the process ended meanwhile
    }
  }
  return m;
}

const uidOf = (name: string) => Number(fs.readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith(`${name}:`))!.split(":")[2]);

/** jupyterhub (the process group it leads) and configurable-http-proxy (its own session; pid file). */
function hubMemory(hub: LocalHub, proxyPidFile: string): Memory {
  const pgid = hub.process.pid!;
  const proxy = fs.existsSync(proxyPidFile) ? Number(fs.readFileSync(proxyPidFile, "utf8").trim()) : -1;
  return memoryOf((pid) => {
    if (pid === proxy) return true;
    try {
      return Number(fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[2]) === pgid;
    } catch {
      return false;
    }
  });
}

const fmt = (m: Memory) => `RSS ${m.rssMB.toFixed(0)} MB, PSS ${m.pssMB.toFixed(0)} MB (${m.processes} processes)`;

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const cells = cellsUntil(o.notebook, o.until, o.steps);
  const names = Array.from({ length: o.learners }, (_, i) => `rnnlab-hubmem${i + 1}`);
  const tmp = fs.mkdtempSync("/tmp/rnnlab-hub-memory-");
  fs.chmodSync(tmp, 0o755);
  let hub: LocalHub | undefined;
  const learners: Learner[] = [];
  try {
    installForHub({ prefix: path.join(tmp, "opt"), kernelPrefix: path.join(tmp, "kernels"), bin: null });
    fs.mkdirSync(path.join(tmp, "exchange"), { mode: 0o1777 });
    const passwords = names.map((n) => (removeLocalUser(n), ensureLocalUser(n)));
    hub = await startLocalHub({ install: path.join(tmp, "opt"), kernels: path.join(tmp, "kernels", "share", "jupyter"), state: path.join(tmp, "state"), exchange: path.join(tmp, "exchange"), users: names });
    for (let i = 0; i < names.length; i++) learners.push(await logIn(hub.url, names[i], passwords[i]));
    await Promise.all(learners.map((l) => l.startServer()));
    await new Promise((r) => setTimeout(r, 2000));
    const idle = names.map((n) => memoryOf((_, uid) => uid === uidOf(n)));
    const kernels = await Promise.all(learners.map((l) => l.startKernel("rnnlab")));
    const runAll = async (k: (typeof kernels)[number], list: string[]) => {
      for (const code of list) {
        const r = await runCell(k, code);
        if (r.status !== "ok") throw new Error(`bench:hub-memory: a cell failed (${r.status}): ${r.error}\n${code.slice(0, 200)}`);
      }
    };
    await Promise.all(kernels.map((k) => runAll(k, cells.slice(0, -1))));
    const beforeTraining = names.map((n) => memoryOf((_, uid) => uid === uidOf(n)));
    const peak = names.map(() => ({ rssMB: 0, pssMB: 0, processes: 0 }));
    let hubPeak: Memory = { rssMB: 0, pssMB: 0, processes: 0 };
    const sampler = setInterval(() => {
      names.forEach((n, i) => {
        const m = memoryOf((_, uid) => uid === uidOf(n));
        if (m.pssMB > peak[i].pssMB) peak[i] = m;
      });
      const h = hubMemory(hub!, path.join(tmp, "state", "jupyterhub-proxy.pid"));
      if (h.rssMB > hubPeak.rssMB) hubPeak = h;
    }, 500);
    const t0 = performance.now();
    await Promise.all(kernels.map((k) => runAll(k, cells.slice(-1))));
    clearInterval(sampler);
    const seconds = (performance.now() - t0) / 1000;
    console.log(`hub-memory: ${o.learners} learner(s), ${path.relative(ROOT, o.notebook)} up to ${o.until}${o.steps ? ` (trainLM ${o.steps} steps)` : ""}; training cell ${seconds.toFixed(0)} s with all learners at once`);
    names.forEach((n, i) => {
      console.log(`  ${n}: server alone ${fmt(idle[i])}; before training ${fmt(beforeTraining[i])}; peak while training ${fmt(peak[i])}`);
    });
    const meanPss = peak.reduce((s, m) => s + m.pssMB, 0) / peak.length;
    const meanRss = peak.reduce((s, m) => s + m.rssMB, 0) / peak.length;
    console.log(`  per active learner (mean peak): PSS ${meanPss.toFixed(0)} MB, RSS ${meanRss.toFixed(0)} MB`);
    console.log(`  hub + proxy (peak): ${fmt(hubPeak)}`);
    console.log(`  100 active learners: about ${((hubPeak.rssMB + 100 * meanPss) / 1024).toFixed(1)} GB (hub RSS + 100 × learner PSS)`);
    await Promise.all(kernels.map((k) => k.shutdown()));
    for (const l of learners) await l.stopServer();
  } finally {
    await hub?.stop();
    for (const n of names) removeLocalUser(n);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error((err as Error).message);
    process.exit(1);
  });
}
