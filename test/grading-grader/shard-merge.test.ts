/**
 * npm run grade -- --shard i/n and npm run grade:merge, end to end with the built CLIs: a class of
 * 00-welcome submissions (solved, stub, wrong, unreadable, a link, a duplicate, names that need
 * encoding) graded once unsharded and once as 3 shards, then merged. The merged folder must hold
 * the same files with the same bytes; the only timing in the grader's output is grades.json's
 * submissions[].seconds, and only that is normalised. Then the merges that must be refused.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGradeArgs } from "../../src/grading/grader/args";
import { parseShard, shardOf } from "../../src/grading/grader/shard";
import { CLI, ROOT, WELCOME, allSolved, submission, writeClass, wrong } from "./class-builder";

const MERGE = path.join(ROOT, "dist/grading/grader/merge-cli.js");
const run = promisify(execFile);

async function node(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [script, ...args], { cwd: ROOT, maxBuffer: 1 << 24 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** Every file under `dir` (relative path → bytes), grades.json with its timings set to 0. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.set(path.relative(dir, p), fs.readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  const json = files.get("grades.json");
  if (json !== undefined) {
    const parsed = JSON.parse(json);
    for (const s of parsed.submissions) s.seconds = 0;
    files.set("grades.json", JSON.stringify(parsed, null, 1) + "\n");
  }
  return files;
}

describe("--shard i/n", () => {
  it("takes 0-based i/n and refuses anything else, naming the flag and the value", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    expect(parseGradeArgs(["x", "--shard", "0/1"]).shard).toEqual({ index: 0, count: 1 });
    for (const bad of ["4/4", "5/4", "-1/4", "1/0", "a/b", "1/4/2", "1.5/4", "", "3"]) {
      expect(() => parseGradeArgs(["x", "--shard", bad]), bad).toThrow(/--shard: expected i\/n .*got/);
    }
    expect(() => parseGradeArgs(["x", "--shard", "4/4"])).toThrow(/i must be below n = 4/);
    expect(() => parseGradeArgs(["x", "--shard"])).toThrow(/--shard: expected a value/);
  });

  it("deals the sorted ids round-robin: a partition that does not depend on the order found", () => {
    const ids = Array.from({ length: 23 }, (_, k) => `s${(k * 7919) % 101}/nb${k % 3}.ipynb`);
    const shards = [0, 1, 2, 3].map((index) => shardOf(ids, { index, count: 4 }));
    expect(shards.reduce((n, s) => n + s.size, 0)).toBe(ids.length);
    expect(new Set(shards.flatMap((s) => [...s]))).toEqual(new Set(ids));
    expect([...shardOf([...ids].reverse(), { index: 1, count: 4 })]).toEqual([...shards[1]]);
    expect(shards.map((s) => s.size)).toEqual([6, 6, 6, 5]);
  });
});

describe("grading in shards, then merging", () => {
  let work = "";
  const shardDir = (i: number) => path.join(work, `shard-${i}`);
  const merge = (dirs: string[], out: string) => node(MERGE, [...dirs, "--out", out]);
  /** A copy of a shard folder with its shard.json or grades.json edited. */
  const doctored = (from: string, to: string, file: string, edit: (j: any) => void) => {
    fs.cpSync(from, to, { recursive: true });
    const j = JSON.parse(fs.readFileSync(path.join(to, file), "utf8"));
    edit(j);
    fs.writeFileSync(path.join(to, file), JSON.stringify(j));
    return to;
  };

  beforeAll(async () => {
    if (!fs.existsSync(CLI) || !fs.existsSync(MERGE)) throw new Error(`expected the built grader and merge at ${CLI}, ${MERGE}; run npm run build first.`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-shard-test-"));
    const klass = path.join(work, "class");
    const solved = submission(WELCOME, allSolved(WELCOME));
    writeClass(klass, {
      [`alice/${WELCOME}`]: solved,
      [`bob/${WELCOME}`]: submission(WELCOME, {}),
      [`carol/${WELCOME}`]: submission(WELCOME, { affine: { body: wrong("00-welcome", "affine", "missing-bias.ts") } }),
      [`dave/${WELCOME}`]: '{ "cells": [ { "cell_type": "code", "source": "import',
      [`frank/${WELCOME}`]: solved,
      [`frank/00-welcome copy.ipynb`]: solved,
      [`a b/${WELCOME}`]: solved,
      [`a+b/${WELCOME}`]: submission(WELCOME, {}),
    });
    fs.mkdirSync(path.join(klass, "erin"));
    fs.symlinkSync(path.join(ROOT, "solutions", WELCOME), path.join(klass, "erin", WELCOME));

    const whole = await node(CLI, [klass, "--jobs", "2", "--out", path.join(work, "whole")]);
    expect(whole.code, whole.stderr).toBe(0);
    for (const i of [0, 1, 2]) {
      const r = await node(CLI, [klass, "--jobs", "2", "--shard", `${i}/3`, "--out", shardDir(i)]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`(shard ${i}/3;`);
    }
    // Another class: same names, other bytes (unreadable notebooks grade without running anything).
    const other = path.join(work, "other-class");
    writeClass(other, Object.fromEntries(["alice", "bob", "carol"].map((s) => [`${s}/${WELCOME}`, "{"])));
    const r = await node(CLI, [other, "--shard", "1/3", "--out", path.join(work, "other-shard-1")]);
    expect(r.code, r.stderr).toBe(0);
  }, 600_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("each shard grades its slice only, and the slices cover the class once", () => {
    const graded = [0, 1, 2].map((i) => JSON.parse(fs.readFileSync(path.join(shardDir(i), "grades.json"), "utf8")).submissions.map((s: any) => s.submission));
    const whole = JSON.parse(fs.readFileSync(path.join(work, "whole", "grades.json"), "utf8")).submissions.map((s: any) => s.submission);
    expect(whole).toHaveLength(9);
    expect(graded.flat().sort()).toEqual([...whole].sort());
    for (const g of graded) expect(g.length).toBe(3);
  });

  it("merges into the bytes of one unsharded run, apart from grades.json's seconds", async () => {
    const out = path.join(work, "merged");
    const r = await merge([shardDir(2), shardDir(0), shardDir(1)], out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("merged 3 shard(s): 9 submission(s)");
    const merged = snapshot(out);
    const whole = snapshot(path.join(work, "whole"));
    expect([...merged.keys()].sort()).toEqual([...whole.keys()].sort());
    for (const [file, text] of whole) expect(merged.get(file), file).toBe(text);
    // The timings themselves come through from the shards, not zeros.
    const secs = JSON.parse(fs.readFileSync(path.join(out, "grades.json"), "utf8")).submissions.map((s: any) => s.seconds);
    expect(secs.some((s: number) => s > 0)).toBe(true);
  });

  const refused = async (dirs: string[], message: RegExp) => {
    const out = path.join(work, `refused-${Math.random().toString(36).slice(2)}`);
    const r = await merge(dirs, out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(fs.existsSync(out), "nothing written").toBe(false);
  };

  it("refuses a missing shard", async () => {
    await refused([shardDir(0), shardDir(2)], /expected the folders of all 3 shards .* missing: 1\/3/);
  });

  it("refuses a shard given twice, and overlapping grades", async () => {
    await refused([shardDir(0), shardDir(1), shardDir(1), shardDir(2)], /shard 1\/3 was given twice/);
    const overlap = doctored(shardDir(1), path.join(work, "overlap-1"), "grades.json", (j) => {
      const s0 = JSON.parse(fs.readFileSync(path.join(shardDir(0), "grades.json"), "utf8"));
      j.submissions.push(s0.submissions[0]);
      j.rows.push(...s0.rows.filter((x: any) => x.submission === s0.submissions[0].submission));
    });
    await refused([shardDir(0), overlap, shardDir(2)], /graded in both .*shards must not overlap/);
  });

  it("refuses shards of another class, of another n, an unfinished shard and a shard missing a grade", async () => {
    await refused([shardDir(0), path.join(work, "other-shard-1"), shardDir(2)], /graded a different class than/);
    const of2 = doctored(shardDir(1), path.join(work, "of-2"), "shard.json", (j) => { j.of = 2; });
    await refused([shardDir(0), of2, shardDir(2)], /splits the class into 2 shards but .* into 3/);
    const stopped = doctored(shardDir(1), path.join(work, "stopped-1"), "shard.json", (j) => { j.complete = false; });
    await refused([shardDir(0), stopped, shardDir(2)], /did not finish/);
    const lost = doctored(shardDir(1), path.join(work, "lost-1"), "grades.json", (j) => { j.submissions.pop(); });
    await refused([shardDir(0), lost, shardDir(2)], /lacks the grades of 1 of its submission/);
    await refused([shardDir(0), path.join(work, "whole"), shardDir(2)], /shard manifest .* found nothing/);
  });

  it("refuses to write over a folder that holds files, and bad --shard on the command line exits 2", async () => {
    const r = await merge([shardDir(0), shardDir(1), shardDir(2)], path.join(work, "whole"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out: expected a new or empty folder/);
    const bad = await node(CLI, [path.join(work, "class"), "--shard", "3/3", "--out", path.join(work, "bad")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--shard: expected i\/n .* got "3\/3" \(i must be below n = 3\)/);
  });
});
