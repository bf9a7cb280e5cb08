import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectAssignment, type Collected } from "../../src/grading/exchange/collect";
import { fetchAssignment } from "../../src/grading/exchange/fetch";
import { fetchFeedback, returnFeedback } from "../../src/grading/exchange/feedback";
import { ownerName } from "../../src/grading/exchange/files";
import { courseFolders, feedbackHash, parseSubmissionName } from "../../src/grading/exchange/layout";
import { releaseAssignment } from "../../src/grading/exchange/release";
import { submitAssignment, type SubmitResult } from "../../src/grading/exchange/submit";
import { runExchange } from "../../src/grading/exchange/cli";
import { findSubmissions } from "../../src/grading/grader/submissions";

// One class on one machine, as one user: release → fetch → submit (alice twice, the second after
// the due date; bob once) → collect → return → fetch-feedback, on temporary folders.
const A = "00-welcome";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-exchange-"));
const root = path.join(tmp, "exchange");
const course = "rnn101";
const home = (s: string) => path.join(tmp, "home", s);
const cache = (s: string) => path.join(home(s), "cache");
const logs: string[] = [];
const log = (m: string) => logs.push(m);
const common = { root, course, assignment: A, log };
const mode = (p: string) => fs.statSync(p).mode & 0o7777;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let due: Date;
const submits: Record<string, SubmitResult[]> = { alice: [], bob: [] };
let collected: Collected[];

beforeAll(async () => {
  // Far enough ahead that the first submissions are on time on a busy machine too.
  due = new Date(Date.now() + 8000);
  releaseAssignment({ ...common, inputs: [], due });
  for (const s of ["alice", "bob"]) fetchAssignment({ ...common, dir: home(s) });
  const aliceNb = path.join(home("alice"), A, `${A}.ipynb`);
  fs.writeFileSync(aliceNb, fs.readFileSync(aliceNb, "utf8").replace('"cells": [', '"cells": [{"cell_type": "markdown", "id": "first", "metadata": {}, "source": "first try"},'));
  submits.alice.push(submitAssignment({ ...common, dir: home("alice"), cache: cache("alice"), student: "alice" }));
  submits.bob.push(submitAssignment({ ...common, dir: home("bob"), cache: cache("bob"), student: "bob" }));
  await sleep(Math.max(0, due.getTime() - Date.now()) + 100);
  fs.writeFileSync(aliceNb, fs.readFileSync(aliceNb, "utf8").replace("first try", "second try"));
  submits.alice.push(submitAssignment({ ...common, dir: home("alice"), cache: cache("alice"), student: "alice" }));
  collected = collectAssignment({ ...common, out: path.join(tmp, "submitted"), checkOwner: false });
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("release and fetch", () => {
  it("puts the student notebook in outbound/<assignment>/, read-only for everyone but the teacher", () => {
    const out = path.join(courseFolders(root, course).outbound, A, `${A}.ipynb`);
    expect(fs.readFileSync(out, "utf8")).toBe(fs.readFileSync(path.join(__dirname, "../../notebooks", `${A}.ipynb`), "utf8"));
    expect([mode(path.dirname(out)), mode(out)]).toEqual([0o755, 0o644]);
  });

  it("makes the exchange with nbgrader's folders and rnnlab's modes", () => {
    const f = courseFolders(root, course);
    expect([mode(root), mode(f.course), mode(f.outbound), mode(f.inbound), mode(f.feedback)]).toEqual([0o1777, 0o755, 0o755, 0o3733, 0o711]);
  });

  it("refuses to release over a release, or to fetch over the student's work, saying what to add", () => {
    expect(() => releaseAssignment({ ...common, inputs: [] })).toThrow(`release: ${course}/${A} is already released; add --force to replace it.`);
    expect(() => fetchAssignment({ ...common, dir: home("alice") })).toThrow(/already exists \(your work\); add --replace-missing/);
  });

  it("--replace-missing puts back only a deleted file", () => {
    const dir = path.join(tmp, "home", "carol");
    fetchAssignment({ ...common, dir });
    const nb = path.join(dir, A, `${A}.ipynb`);
    fs.rmSync(nb);
    expect(fetchAssignment({ ...common, dir, replaceMissing: true })).toEqual([`${A}.ipynb`]);
    expect(fetchAssignment({ ...common, dir, replaceMissing: true })).toEqual([]);
  });
});

describe("submit", () => {
  it("accepts a resubmission, flags the one after the due date late, and keeps every submission", () => {
    expect(submits.alice.map((s) => s.late)).toEqual([false, true]);
    expect(submits.bob.map((s) => s.late)).toEqual([false]);
    const inbound = fs.readdirSync(courseFolders(root, course).inbound).sort();
    expect(inbound.map((n) => parseSubmissionName(n)!.student)).toEqual(["alice", "alice", "bob"]);
    expect(logs.some((l) => /^submitted rnn101\/00-welcome as alice at .* late \(due /.test(l))).toBe(true);
  });

  it("names each submission student+assignment+timestamp+random, nbgrader's way, with timestamp.txt and a secret", () => {
    for (const s of submits.alice) {
      expect(s.name).toMatch(/^alice\+00-welcome\+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} UTC\+[A-Za-z0-9_-]{12}$/);
      const dir = path.join(courseFolders(root, course).inbound, s.name);
      expect(fs.readFileSync(path.join(dir, "timestamp.txt"), "utf8")).toBe(s.timestamp);
      expect(fs.readFileSync(path.join(dir, "submission_secret.txt"), "utf8")).toMatch(/^[0-9a-f]{128}$/);
    }
  });

  it("gives the submission's folders 0770 and files 0640, in the inbound folder's group", () => {
    const dir = path.join(courseFolders(root, course).inbound, submits.bob[0].name);
    expect(submits.bob[0].groupProtected).toBe(true);
    expect(mode(dir)).toBe(0o770);
    for (const f of fs.readdirSync(dir)) expect(mode(path.join(dir, f))).toBe(0o640);
  });

  it("names what is missing: no copy to submit, or an unreleased assignment", () => {
    expect(() => submitAssignment({ ...common, dir: path.join(tmp, "nobody"), cache: cache("x"), student: "x" })).toThrow(/submit: expected your copy of 00-welcome in .*nobody\/00-welcome, got nothing there; fetch it first\./);
    expect(() => submitAssignment({ ...common, assignment: "99-none", dir: home("alice"), cache: cache("alice"), student: "alice" })).toThrow(/expected your copy of 99-none/);
  });
});

describe("collect", () => {
  const out = path.join(tmp, "submitted");

  it("takes each student's newest submission into submitted/<student>/<assignment>/", () => {
    expect(collected.map((c) => [c.student, c.submissions, c.late, c.action])).toEqual([["alice", 2, true, "collected"], ["bob", 1, false, "collected"]]);
    const nb = fs.readFileSync(path.join(out, "alice", A, `${A}.ipynb`), "utf8");
    expect(nb).toContain("second try");
    expect(fs.readFileSync(path.join(out, "alice", A, "timestamp.txt"), "utf8")).toBe(submits.alice[1].timestamp);
  });

  it("is the layout npm run grade reads: one submission per student, named by the folder after submitted/", () => {
    const found = findSubmissions([out]).map((s) => [s.student, s.notebook]);
    expect(found).toEqual([["alice", `${A}.ipynb`], ["bob", `${A}.ipynb`]]);
  });

  it("writes <assignment>.collected.csv with the lateness of each student", () => {
    const rows = fs.readFileSync(path.join(out, `${A}.collected.csv`), "utf8").trim().split("\n").map((l) => l.split(","));
    expect(rows[0]).toEqual(["student", "timestamp", "judged_at", "due", "late", "late_seconds", "submissions", "action", "warnings"]);
    expect(rows.slice(1).map((r) => [r[0], r[3], r[4], r[6]])).toEqual([["alice", due.toISOString(), "yes", "2"], ["bob", due.toISOString(), "no", "1"]]);
  });

  it("with --before-duedate takes the newest submission made by the due date", () => {
    const early = collectAssignment({ ...common, out: path.join(tmp, "submitted-early"), beforeDuedate: true, checkOwner: false });
    expect(early.find((c) => c.student === "alice")!.late).toBe(false);
    expect(fs.readFileSync(path.join(tmp, "submitted-early", "alice", A, `${A}.ipynb`), "utf8")).toContain("first try");
  });

  it("keeps what it collected unless --update, and --update takes a newer submission", async () => {
    await sleep(5);
    submitAssignment({ ...common, dir: home("bob"), cache: cache("bob"), student: "bob" });
    expect(collectAssignment({ ...common, out, student: "bob", checkOwner: false })[0].action).toBe("kept");
    expect(collectAssignment({ ...common, out, student: "bob", update: true, checkOwner: false })[0].action).toBe("updated");
  });

  it("judges a submission whose claimed time is earlier than its files' ctime by the ctime, and says so", () => {
    const yesterday = new Date(Date.now() - 86_400_000);
    const dir = path.join(tmp, "home", "mallory");
    fetchAssignment({ ...common, dir });
    submitAssignment({ ...common, dir, cache: cache("mallory"), student: "mallory", now: yesterday });
    const [m] = collectAssignment({ ...common, out: path.join(tmp, "submitted-m"), student: "mallory", checkOwner: false });
    expect(m.claimed.getTime()).toBe(yesterday.getTime());
    expect(m.late).toBe(true);
    expect(m.warnings.join()).toMatch(/claims .* but was last changed at .*; judged by the later/);
  });

  it("leaves out a symbolic link planted in a submission instead of following it as the teacher", () => {
    const sub = path.join(courseFolders(root, course).inbound, submits.bob[0].name);
    fs.symlinkSync("/etc/hostname", path.join(sub, "stolen.txt"));
    const out2 = path.join(tmp, "submitted-links");
    const bob = collectAssignment({ ...common, out: out2, beforeDuedate: true, student: "bob", checkOwner: false })[0];
    expect(bob.warnings).toContain("left out stolen.txt (a symbolic link)");
    expect(fs.existsSync(path.join(out2, "bob", A, "stolen.txt"))).toBe(false);
  });

  it("reports a submission whose owner is not the student it names (nbgrader's check_owner)", () => {
    const [a] = collectAssignment({ ...common, out: path.join(tmp, "submitted-owner"), student: "alice" });
    expect(a.warnings).toContain(`claims to be from alice but belongs to ${ownerName(process.getuid!())}`);
  });
});

describe("return and fetch-feedback", () => {
  const feedback = path.join(tmp, "grades", "feedback");

  it("puts each student's pages in the exchange under nbgrader's hashed names, and each student fetches only theirs", () => {
    for (const s of ["alice", "bob"]) {
      // npm run grade over submitted/ writes feedback/<student>/<assignment>/<notebook>.html
      fs.mkdirSync(path.join(feedback, s, A), { recursive: true });
      fs.writeFileSync(path.join(feedback, s, A, `${A}.html`), `<p>feedback for ${s}</p>`);
    }
    const returned = returnFeedback({ ...common, submitted: path.join(tmp, "submitted"), feedback });
    expect(returned.map((r) => r.student)).toEqual(["alice", "bob"]);
    const secret = fs.readFileSync(path.join(tmp, "submitted", "alice", A, "submission_secret.txt"), "utf8");
    const page = path.join(courseFolders(root, course).feedback, `${feedbackHash(secret, A)}.html`);
    expect(fs.readFileSync(page, "utf8")).toBe("<p>feedback for alice</p>");
    expect(mode(page)).toBe(0o644);

    const got = fetchFeedback({ ...common, dir: home("alice"), cache: cache("alice"), student: "alice" });
    expect(got).toEqual([path.join(home("alice"), A, "feedback", submits.alice[1].timestamp, `${A}.html`)]);
    expect(fs.readFileSync(got[0], "utf8")).toBe("<p>feedback for alice</p>");
    const bobs = fetchFeedback({ ...common, dir: home("bob"), cache: cache("bob"), student: "bob" });
    expect(bobs.map((f) => fs.readFileSync(f, "utf8"))).toEqual(["<p>feedback for bob</p>"]);
  });

  it("names the missing folder when there is nothing to return from", () => {
    expect(() => returnFeedback({ ...common, submitted: path.join(tmp, "none"), feedback })).toThrow(/return: --submitted: expected the folder collect wrote, got ".*none", which does not exist\./);
  });
});

describe("npm run exchange (the command line)", () => {
  it("reads --root and --course, or RNNLAB_EXCHANGE and RNNLAB_COURSE", () => {
    const dir = path.join(tmp, "home", "dave");
    const lines: string[] = [];
    runExchange(["fetch", A, "--dir", dir], { RNNLAB_EXCHANGE: root, RNNLAB_COURSE: course }, tmp, (m) => lines.push(m));
    expect(lines[0]).toMatch(/^fetched rnn101\/00-welcome into .*dave\/00-welcome/);
    expect(fs.existsSync(path.join(dir, A, `${A}.ipynb`))).toBe(true);
  });

  it("names the argument, what was expected and what came", () => {
    const run = (...argv: string[]) => () => runExchange(argv, { RNNLAB_EXCHANGE: root }, tmp, () => {});
    expect(run("hand-in", A)).toThrow(/expected a command \(release, fetch, submit, collect, return, fetch-feedback\), got "hand-in"/);
    expect(run("submit")).toThrow(/npm run exchange submit: expected an assignment name, got nothing/);
    expect(run("collect", A, "--due", "friday")).toThrow(/--due: expected a date and time with its time zone, like 2026-12-01T17:00Z or 2026-12-01T17:00\+01:00, got "friday"/);
    expect(run("submit", A, "--student", "eve+alice")).toThrow(/--student: expected letters, digits, _ \. @ and - .*got "eve\+alice"/);
    expect(run("fetch", A, "--force")).toThrow(/npm run exchange fetch: unknown option --force/);
    expect(run("collect", A, "--out")).toThrow(/collect: --out: expected a value after it, got nothing/);
    expect(run("fetch", "99-none", "--course", course, "--dir", tmp)).toThrow(/fetch: expected a released assignment rnn101\/99-none in .*outbound, got none; released: 00-welcome\./);
  });
});
