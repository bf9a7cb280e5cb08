import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The exchange across real users: a teacher (uid 3100) and two students (3101, 3102), each a
// separate process under its own uid through setpriv, running the built command line. Only root
// can switch users, so elsewhere this is skipped; `npm test` builds dist/ first.
const PROJECT = path.resolve(__dirname, "../..");
const SETPRIV = "/usr/bin/setpriv";
const canSwitch = process.getuid?.() === 0 && fs.existsSync(SETPRIV);
const A = "00-welcome";
const USERS = { teacher: 3100, alice: 3101, bob: 3102 } as const;
type User = keyof typeof USERS;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-exchange-uids-"));
const root = path.join(tmp, "exchange");
const inbound = path.join(root, "rnnlab", "inbound");
const homeOf = (u: User) => path.join(tmp, u);
// The test users run a copy of the built command line: the project's own folder may be closed
// to them (a clone made in a mktemp folder is mode 0700). Release needs TypeScript's parser too.
const CLI = path.join(tmp, "cli", "dist", "grading", "exchange", "cli.js");
function copyCommandLine(): void {
  fs.cpSync(path.join(PROJECT, "dist"), path.join(tmp, "cli", "dist"), { recursive: true });
  const ts = path.join("node_modules", "@tslab", "typescript-for-tslab");
  fs.cpSync(path.join(PROJECT, ts), path.join(tmp, "cli", ts), { recursive: true, dereference: true });
  fs.cpSync(path.join(PROJECT, "notebooks", `${A}.ipynb`), path.join(tmp, "cli", `${A}.ipynb`));
}

function as(user: User, command: string[], env: Record<string, string> = {}) {
  const uid = String(USERS[user]);
  const r = spawnSync(SETPRIV, [`--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "env", `HOME=${homeOf(user)}`, `RNNLAB_EXCHANGE=${root}`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...command], {
    cwd: homeOf(user), encoding: "utf8",
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}
const exchange = (user: User, ...args: string[]) => as(user, [process.execPath, CLI, ...args]);
const sh = (user: User, script: string) => as(user, ["sh", "-c", script]);

let aliceSubmission = "";

describe.skipIf(!canSwitch)("the exchange between users (POSIX permissions)", () => {
  beforeAll(() => {
    const built = path.join(PROJECT, "dist", "grading", "exchange", "cli.js");
    if (!fs.existsSync(built)) throw new Error(`expected the built command line ${built}, got nothing there; run npm run build.`);
    fs.chmodSync(tmp, 0o755);
    copyCommandLine();
    // The exchange root is made once by an administrator, as nbgrader requires.
    fs.mkdirSync(root);
    fs.chmodSync(root, 0o1777);
    for (const u of Object.keys(USERS) as User[]) {
      fs.mkdirSync(homeOf(u));
      fs.chownSync(homeOf(u), USERS[u], USERS[u]);
      fs.chmodSync(homeOf(u), 0o700);
    }
    const release = exchange("teacher", "release", A, path.join(tmp, "cli", `${A}.ipynb`), "--due", "2099-01-01T00:00Z");
    expect(release.out).toMatch(/released rnnlab\/00-welcome/);
    for (const s of ["alice", "bob"] as const) {
      expect(exchange(s, "fetch", A).status).toBe(0);
      const sub = exchange(s, "submit", A, "--student", s);
      expect(sub.out).toMatch(new RegExp(`submitted rnnlab/00-welcome as ${s} at .*, on time`));
      expect(sub.status).toBe(0);
    }
    aliceSubmission = fs.readdirSync(inbound).find((n) => n.startsWith("alice+"))!;
  });

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("puts each submission in the teacher's group, folders 0770 and files 0640, owned by its student", () => {
    const dir = path.join(inbound, aliceSubmission);
    const st = fs.statSync(dir);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([USERS.alice, USERS.teacher, 0o770]);
    const nb = fs.statSync(path.join(dir, `${A}.ipynb`));
    expect([nb.uid, nb.gid, nb.mode & 0o7777]).toEqual([USERS.alice, USERS.teacher, 0o640]);
  });

  it("a student cannot list the inbound folder", () => {
    const r = sh("bob", `ls "${inbound}"`);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/Permission denied/);
  });

  it("a student who knows another's submission name still cannot read, rename or delete it", () => {
    const theirs = path.join(inbound, aliceSubmission);
    const read = sh("bob", `cat "${theirs}/${A}.ipynb"`);
    expect(read.status).not.toBe(0);
    expect(read.out).toMatch(/Permission denied/);
    const rename = sh("bob", `mv "${theirs}" "${inbound}/bob+stolen"`);
    expect(rename.status).not.toBe(0);
    expect(rename.out).toMatch(/Operation not permitted|Permission denied/);
    expect(sh("bob", `rm -rf "${theirs}"`).status).not.toBe(0);
    expect(fs.existsSync(path.join(theirs, `${A}.ipynb`))).toBe(true);
  });

  it("a student can read the release but not change it, and cannot list the returned feedback", () => {
    const released = path.join(root, "rnnlab", "outbound", A);
    expect(sh("bob", `cat "${released}/${A}.ipynb" > /dev/null`).status).toBe(0);
    expect(sh("bob", `touch "${released}/extra.txt"`).status).not.toBe(0);
    expect(sh("bob", `ls "${root}/rnnlab/feedback"`).out).toMatch(/Permission denied/);
  });

  it("without setgid on inbound a submission falls back to nbgrader's modes, and the student is told", () => {
    fs.chmodSync(inbound, 0o1733);
    try {
      const r = exchange("bob", "submit", A, "--student", "bob");
      expect(r.out).toMatch(/warning: .*inbound is not setgid, so your files are readable by anyone who learns the submission's name/);
      const mine = fs.readdirSync(inbound).filter((n) => n.startsWith("bob+")).map((n) => path.join(inbound, n)).sort((a, b) => fs.statSync(b).ctimeMs - fs.statSync(a).ctimeMs)[0];
      expect([fs.statSync(mine).gid, fs.statSync(mine).mode & 0o7777, fs.statSync(path.join(mine, `${A}.ipynb`)).mode & 0o7777]).toEqual([USERS.bob, 0o777, 0o644]);
    } finally {
      fs.chmodSync(inbound, 0o3733);
    }
  });

  it("the teacher collects both, reports that the owners' logins differ from the names claimed, and returns feedback each student alone can fetch", () => {
    const collect = exchange("teacher", "collect", A);
    expect(collect.status).toBe(0);
    expect(collect.out).toMatch(/collected alice: .*\(1 submission\(s\)\), on time/);
    expect(collect.out).toMatch(/collected bob: .*\(2 submission\(s\)\)/);
    // These test uids have no login names, so nbgrader's owner check cannot match them.
    expect(collect.out).toContain(`warning: claims to be from alice but belongs to uid ${USERS.alice}`);
    expect(fs.existsSync(path.join(homeOf("teacher"), "submitted", "alice", A, `${A}.ipynb`))).toBe(true);

    const fb = path.join(homeOf("teacher"), "build", "grades", "feedback");
    for (const s of ["alice", "bob"]) {
      fs.mkdirSync(path.join(fb, s, A), { recursive: true });
      fs.writeFileSync(path.join(fb, s, A, `${A}.html`), `<p>for ${s}</p>`);
    }
    fs.chownSync(path.join(homeOf("teacher"), "build"), USERS.teacher, USERS.teacher);
    expect(exchange("teacher", "return", A).out).toMatch(/returned 2 feedback page\(s\) for rnnlab\/00-welcome to 2 student\(s\)/);
    expect(exchange("alice", "fetch-feedback", A).status).toBe(0);
    expect(fs.readFileSync(path.join(homeOf("alice"), A, "feedback", fs.readdirSync(path.join(homeOf("alice"), A, "feedback"))[0], `${A}.html`), "utf8")).toBe("<p>for alice</p>");
  });
});
