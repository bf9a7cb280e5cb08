import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kernel } from "@jupyterlab/services";
import { logIn, runCell, type Learner } from "../../src/grading/hub/hub-client";
import { installForHub } from "../../src/grading/hub/install";
import { ensureLocalUser, removeLocalUser, startLocalHub, type LocalHub } from "../../src/grading/hub/local-hub";

// `npm run test:hub`: the checked-in hub configuration serving a class of two real local users
// (PAM passwords), as root, on 127.0.0.1. Each learner logs in through the hub's REST API, gets
// a server and their own copy of the course, runs the rnnlab kernel over the server's websocket
// (@jupyterlab/services), and fetches and submits through the exchange from inside that kernel;
// the teacher (root, in the checkout) releases, collects and grades with npm run grade.
const PROJECT = path.resolve(__dirname, "../..");
const A = "00-welcome";
const LEARNERS = ["rnnlab-hubtest1", "rnnlab-hubtest2"] as const;
type Name = (typeof LEARNERS)[number];
const COURSE = "rnnlab-course";

const tmp = fs.mkdtempSync("/tmp/rnnlab-hub-test-");
const install = path.join(tmp, "opt");
const kernels = path.join(tmp, "kernels", "share", "jupyter");
const exchange = path.join(tmp, "exchange");
const submitted = path.join(tmp, "submitted");
const grades = path.join(tmp, "grades");
const passwords = {} as Record<Name, string>;
const learners = {} as Record<Name, Learner>;
const kernelsOf = {} as Record<Name, Kernel.IKernelConnection>;
const homeOf = (n: Name) => execFileSync("getent", ["passwd", n], { encoding: "utf8" }).split(":")[5];
const uidOf = (n: Name) => Number(execFileSync("id", ["-u", n], { encoding: "utf8" }).trim());
let hub: LocalHub | undefined;

function teacher(...args: string[]): string {
  return execFileSync(process.execPath, [path.join(PROJECT, "dist", "grading", "exchange", "cli.js"), ...args, "--root", exchange], { cwd: PROJECT, encoding: "utf8" });
}

/** Runs a cell and fails with the kernel's own words when it does not finish "ok". */
async function run(n: Name, code: string) {
  const r = await runCell(kernelsOf[n], code);
  if (r.status !== "ok") throw new Error(`${n}: cell failed (${r.status}): ${r.error}\n${r.stdout}`);
  return r;
}

describe("a class on the hub (jupyterhub_config.py, PAM users, rnnlab kernel, exchange)", () => {
  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error("test:hub: expected to run as root (useradd, and a hub that starts servers as other users), got a non-root user.");
    fs.chmodSync(tmp, 0o755);
    installForHub({ prefix: install, kernelPrefix: path.join(tmp, "kernels"), bin: null });
    fs.mkdirSync(exchange, { mode: 0o1777 });
    fs.chmodSync(exchange, 0o1777);
    // Accounts left by an interrupted earlier run are made again, so "first login" is real.
    for (const n of LEARNERS) {
      removeLocalUser(n);
      passwords[n] = ensureLocalUser(n);
    }
    expect(teacher("release", A, "--due", "2099-01-01T00:00Z")).toMatch(/released rnnlab\/00-welcome/);
    hub = await startLocalHub({ install, kernels, state: path.join(tmp, "state"), exchange, users: [...LEARNERS] });
  }, 300_000);

  afterAll(async () => {
    for (const k of Object.values(kernelsOf)) await k.shutdown().catch(() => undefined);
    for (const l of Object.values(learners)) await l.stopServer().catch(() => undefined);
    await hub?.stop();
    // The hub's log (with every learner server's output) outlives the test, for CI's artifacts.
    const log = path.join(tmp, "state", "jupyterhub.log");
    if (fs.existsSync(log)) {
      fs.mkdirSync(path.join(PROJECT, "build", "hub-test"), { recursive: true });
      fs.copyFileSync(log, path.join(PROJECT, "build", "hub-test", "jupyterhub.log"));
    }
    for (const n of LEARNERS) removeLocalUser(n);
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 300_000);

  it("refuses a wrong password and logs both learners in through the REST API", async () => {
    await expect(logIn(hub!.url, LEARNERS[0], `${passwords[LEARNERS[0]]}x`)).rejects.toThrow(/expected 200 or 201, got 403/);
    await expect(logIn(hub!.url, LEARNERS[0], passwords[LEARNERS[1]])).rejects.toThrow(/got 403/);
    for (const n of LEARNERS) learners[n] = await logIn(hub!.url, n, passwords[n]);
  }, 120_000);

  it("starts each learner's server, with their own private copy of the released notebooks", async () => {
    await Promise.all(LEARNERS.map((n) => learners[n].startServer()));
    const released = fs.readdirSync(path.join(PROJECT, "notebooks")).sort();
    for (const n of LEARNERS) {
      const dir = await learners[n].contents.get(COURSE, { content: true });
      expect((dir.content as { name: string }[]).map((c) => c.name).sort()).toEqual(released);
      const onDisk = path.join(homeOf(n), COURSE);
      expect(fs.statSync(onDisk).uid).toBe(uidOf(n));
      expect(fs.statSync(onDisk).mode & 0o777).toBe(0o700);
      expect(fs.statSync(path.join(onDisk, `${A}.ipynb`)).uid).toBe(uidOf(n));
    }
  }, 400_000);

  it("runs an rnnlab cell in each learner's kernel, as that learner", async () => {
    for (const n of LEARNERS) kernelsOf[n] = await learners[n].startKernel("rnnlab");
    for (const n of LEARNERS) {
      const r = await run(n, `import * as rnnlab from "rnnlab";\nawait rnnlab.ready();\nconst t = rnnlab.tf.tensor2d([[1, 2], [3, 4]]).matMul(rnnlab.tf.tensor2d([[1], [1]]));\nconst names = rnnlab.data.loadNames("female").length;\nconsole.log(JSON.stringify({ y: Array.from(t.dataSync()), uid: process.getuid!(), cwd: process.cwd(), names: names > 0 }));`);
      // The course's datasets load from any folder too (the notebooks read them).
      expect(JSON.parse(r.stdout.trim().split("\n").pop()!)).toEqual({ y: [3, 7], uid: uidOf(n), cwd: homeOf(n), names: true });
    }
  }, 400_000);

  it("keeps a learner's edited notebook on the next login", async () => {
    const n = LEARNERS[0];
    await run(n, `const fs = require("node:fs");\nconst p = "${COURSE}/${A}.ipynb";\nconst nb = JSON.parse(fs.readFileSync(p, "utf8"));\nnb.cells.push({ cell_type: "markdown", metadata: {}, source: ["my own note"] });\nfs.writeFileSync(p, JSON.stringify(nb));\nfs.unlinkSync("${COURSE}/01-vanilla-rnn.ipynb");`);
    await kernelsOf[n].shutdown();
    delete kernelsOf[n];
    await learners[n].stopServer();
    await learners[n].startServer();
    const nb = await learners[n].contents.get(`${COURSE}/${A}.ipynb`, { content: true });
    expect(JSON.stringify(nb.content)).toContain("my own note");
    // A notebook the learner lacks (deleted here, or released later) is copied on the next start.
    expect((await learners[n].contents.get(`${COURSE}/01-vanilla-rnn.ipynb`, { content: false })).type).toBe("notebook");
    kernelsOf[n] = await learners[n].startKernel("rnnlab");
  }, 400_000);

  it("fetches and submits the assignment from each learner's kernel with rnnlab-exchange", async () => {
    for (const n of LEARNERS) {
      const r = await run(n, `const { execFileSync } = require("node:child_process");\nconsole.log(execFileSync("rnnlab-exchange", ["fetch", "${A}"], { encoding: "utf8" }));\nconsole.log(execFileSync("rnnlab-exchange", ["submit", "${A}"], { encoding: "utf8" }));`);
      expect(r.stdout).toMatch(/fetched/i);
      expect(r.stdout).toMatch(/submitted/i);
    }
    const inbound = fs.readdirSync(path.join(exchange, "rnnlab", "inbound"));
    expect(inbound.map((e) => e.split("+")[0]).sort()).toEqual([...LEARNERS]);
  }, 300_000);

  it("keeps each learner out of the other's submission and course copy", async () => {
    const [a, b] = LEARNERS;
    const aliceEntry = fs.readdirSync(path.join(exchange, "rnnlab", "inbound")).find((e) => e.startsWith(`${a}+`))!;
    // As each learner's uid (setpriv, with the groups the hub's spawner gives them): the same
    // probe reads what the learner may read, so EACCES is the permissions speaking.
    const probe = (n: Name, p: string) => {
      const r = spawnSync("setpriv", [`--reuid=${n}`, `--regid=${uidOf(n)}`, "--init-groups", "ls", p], { encoding: "utf8" });
      return r.status === 0 ? "READ" : /Permission denied/.test(r.stderr) ? "EACCES" : r.stderr;
    };
    expect(probe(b, path.join(exchange, "rnnlab", "inbound", aliceEntry))).toBe("EACCES");
    expect(probe(b, path.join(exchange, "rnnlab", "inbound"))).toBe("EACCES");
    expect(probe(b, path.join(homeOf(a), COURSE))).toBe("EACCES");
    expect(probe(a, path.join(exchange, "rnnlab", "inbound", aliceEntry))).toBe("READ");
    expect(probe(b, path.join(homeOf(b), COURSE))).toBe("READ");
  }, 120_000);

  it("collects as the teacher and grades with npm run grade", async () => {
    expect(teacher("collect", A, "--out", submitted)).toMatch(/collected/i);
    for (const n of LEARNERS) expect(fs.existsSync(path.join(submitted, n, A, `${A}.ipynb`))).toBe(true);
    // Asynchronously: the test's websockets to the kernels must keep answering pings meanwhile.
    const g = await new Promise<{ status: number | null; out: string }>((resolve) => {
      const child = spawn("npm", ["run", "--silent", "grade", "--", submitted, "--out", grades, "--jobs", "1"], { cwd: PROJECT });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("close", (status) => resolve({ status, out }));
    });
    expect(g.status, g.out).toBe(0);
    const csv = fs.readFileSync(path.join(grades, "grades.csv"), "utf8");
    for (const n of LEARNERS) expect(csv).toContain(n);
    expect(fs.existsSync(path.join(grades, "feedback", LEARNERS[0], A, `${A}.html`))).toBe(true);
    // The grader made and removed folders in /tmp meanwhile; each learner's kernel still compiles
    // a new cell (TypeScript's folder watchers once left its compiler throwing for good).
    for (const n of LEARNERS) {
      const r = await run(n, `const afterGrading: number = 6 * 7;\nconsole.log(JSON.stringify({ afterGrading }));`);
      expect(JSON.parse(r.stdout.trim().split("\n").pop()!)).toEqual({ afterGrading: 42 });
    }
  }, 600_000);

  it("stops the servers and the hub, leaving no learner process behind", async () => {
    for (const n of LEARNERS) {
      await kernelsOf[n].shutdown();
      delete kernelsOf[n];
      await learners[n].stopServer();
    }
    await hub!.stop();
    expect(hub!.process.exitCode !== null || hub!.process.signalCode !== null).toBe(true);
    // A stopped server's kernels end on their own within moments: wait for them, up to a minute.
    for (const n of LEARNERS) {
      let left = "";
      for (let i = 0; i < 60; i++) {
        left = spawnSync("ps", ["-o", "pid=,etime=,args=", "-u", n], { encoding: "utf8" }).stdout.trim();
        if (!left) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect(left, `processes of ${n} left`).toBe("");
    }
  }, 300_000);
});
