/**
 * `--shard i/n`: which slice of a class one grader run grades, and the manifest (shard.json) it
 * leaves beside its grades so that `npm run grade:merge` can prove the shards fit together.
 *
 * The slice depends only on the submissions' ids (their paths under the inputs' common folder),
 * sorted by UTF-16 code units, not by locale, and dealt round-robin: the k-th id goes to shard
 * k mod n. So every machine and every rerun agrees on it, and a class sorted by student spreads
 * each notebook's (slow or fast) submissions over all the shards.
 *
 * The class fingerprint covers what decides a grade: every submission's id and bytes (or why it
 * was refused), the source notebooks' names and bytes, and the per-cell, per-submission and
 * memory limits. `--jobs` is left out: it changes how long, not what.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Submission } from "./submissions";

export interface ShardSpec {
  /** 0-based, as SLURM_ARRAY_TASK_ID (with --array=0-(n-1)) and JOB_COMPLETION_INDEX give it. */
  index: number;
  count: number;
}

export const SHARD_FILE = "shard.json";
export const SHARD_FORMAT = "rnnlab-grade-shard/1";

export interface ShardManifest {
  format: typeof SHARD_FORMAT;
  /** sha256 of the class: submissions, sources, limits. */
  class: string;
  shard: number;
  of: number;
  /** Every submission of the class, in the order one unsharded run writes them. */
  submissions: string[];
  /** The ids this shard grades. */
  mine: string[];
  /** False while grading and when stopped early; merge refuses an incomplete shard. */
  complete: boolean;
}

/** Parses "i/n" (0 ≤ i < n, whole numbers); the error names the flag, what is expected and what came. */
export function parseShard(value: string, flag = "--shard"): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const expected = "i/n with whole numbers 0 ≤ i < n, e.g. 0/4 … 3/4 (i is 0-based, as $SLURM_ARRAY_TASK_ID and $JOB_COMPLETION_INDEX)";
  if (!m) throw new Error(`npm run grade: ${flag}: expected ${expected}, got ${JSON.stringify(value)}.`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index >= count) {
    throw new Error(`npm run grade: ${flag}: expected ${expected}, got ${JSON.stringify(value)}${count < 1 ? " (n must be at least 1)" : index >= count ? ` (i must be below n = ${count})` : ""}.`);
  }
  return { index, count };
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The ids shard `spec` grades: the sorted ids dealt round-robin. */
export function shardOf(ids: string[], spec: ShardSpec): Set<string> {
  return new Set([...ids].sort(byCodeUnits).filter((_, k) => k % spec.count === spec.index));
}

const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");

/** The bytes of a submission as the grader would read them (never through a link), or why not. */
function submissionDigest(s: Submission): string {
  if (s.refused) return `refused:${s.refused}`;
  try {
    const fd = fs.openSync(s.file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      return sha256(fs.readFileSync(fd));
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    return `unreadable:${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
}

export interface ClassLimits {
  timeoutS: number;
  memoryMb: number;
  totalS?: number;
}

export function classFingerprint(submissions: Submission[], sourceDir: string, limits: ClassLimits): string {
  const sources = fs.readdirSync(sourceDir).filter((f) => f.endsWith(".ipynb")).sort(byCodeUnits)
    .map((name) => {
      try {
        return [name, sha256(fs.readFileSync(path.join(sourceDir, name)))];
      } catch {
        return [name, "unreadable"];
      }
    });
  return sha256(JSON.stringify({
    submissions: submissions.map((s) => [s.id, submissionDigest(s)]),
    sources,
    limits: [limits.timeoutS, limits.memoryMb, limits.totalS ?? null],
  }));
}

export function writeManifest(out: string, m: ShardManifest): void {
  const file = path.join(out, SHARD_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(m, null, 1) + "\n");
  fs.renameSync(tmp, file);
}
