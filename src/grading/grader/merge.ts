/**
 * Joins the output folders of `npm run grade -- --shard i/n` (i = 0 … n-1) into what one
 * unsharded run writes: grades.csv, grades.json (rows and submissions in the unsharded order)
 * and feedback/. Nothing is lost and nothing is counted twice: the shards must be of one class
 * (same fingerprint), split the same way (same n), each complete, each index exactly once, and
 * each must hold exactly the grades and feedback pages of its slice. Otherwise it refuses and
 * writes nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { feedbackPath } from "./feedback";
import { writeGradeFiles, type GradeRow, type SubmissionRecord } from "./report";
import { SHARD_FILE, SHARD_FORMAT, shardOf, type ShardManifest } from "./shard";

interface ShardOutput {
  dir: string;
  manifest: ShardManifest;
  rows: GradeRow[];
  submissions: SubmissionRecord[];
}

const fail = (message: string): never => {
  throw new Error(`npm run grade:merge: ${message}`);
};

function readJson(file: string, what: string): unknown {
  if (!fs.existsSync(file)) fail(`expected ${what} at ${file}, found nothing.`);
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    return fail(`expected ${what} at ${file}, but it is not JSON: ${(err as Error).message}`);
  }
}

function readShard(dir: string): ShardOutput {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) fail(`expected the output folder of a shard, got "${dir}", which is not a folder.`);
  const manifest = readJson(path.join(dir, SHARD_FILE), "the shard manifest of `npm run grade -- --shard i/n`") as ShardManifest;
  if (manifest?.format !== SHARD_FORMAT) fail(`expected ${path.join(dir, SHARD_FILE)} in the format ${SHARD_FORMAT}, got ${JSON.stringify(manifest?.format)}.`);
  const grades = readJson(path.join(dir, "grades.json"), "the shard's grades") as { rows?: GradeRow[]; submissions?: SubmissionRecord[] };
  if (!Array.isArray(grades?.rows) || !Array.isArray(grades?.submissions)) fail(`expected rows and submissions in ${path.join(dir, "grades.json")}.`);
  return { dir, manifest, rows: grades.rows!, submissions: grades.submissions! };
}

const name = (s: ShardOutput): string => `${s.dir} (shard ${s.manifest.shard}/${s.manifest.of})`;

/** Every check before anything is written. */
function checkShards(shards: ShardOutput[]): void {
  const first = shards[0];
  for (const s of shards) {
    if (s.manifest.class !== first.manifest.class) {
      fail(`${name(s)} graded a different class than ${name(first)}: their submissions, source notebooks or limits (--timeout, --memory, --total-timeout) differ. Grade every shard from the same class folder and source folder.`);
    }
    if (s.manifest.of !== first.manifest.of) fail(`${name(s)} splits the class into ${s.manifest.of} shards but ${name(first)} into ${first.manifest.of}: use one n for every shard.`);
    if (!s.manifest.complete) fail(`${name(s)} did not finish (stopped or failed while grading): run that shard again, then merge.`);
  }
  const n = first.manifest.of;
  const byIndex = new Map<number, ShardOutput>();
  for (const s of shards) {
    const twice = byIndex.get(s.manifest.shard);
    if (twice) fail(`shard ${s.manifest.shard}/${n} was given twice: ${twice.dir} and ${s.dir}; give each shard's folder once.`);
    byIndex.set(s.manifest.shard, s);
  }
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length) fail(`expected the folders of all ${n} shards (0 … ${n - 1}), got ${[...byIndex.keys()].sort((a, b) => a - b).join(", ")}; missing: ${missing.map((i) => `${i}/${n}`).join(", ")}.`);

  const owner = new Map<string, ShardOutput>();
  for (const s of shards) {
    // The slice is recomputed from the class, not trusted from the manifest.
    const expected = shardOf(first.manifest.submissions, { index: s.manifest.shard, count: n });
    const graded = new Set(s.submissions.map((r) => r.submission));
    for (const id of s.submissions.map((r) => r.submission)) {
      const other = owner.get(id);
      if (other) fail(`${id} is graded in both ${name(other)} and ${name(s)}: shards must not overlap.`);
      owner.set(id, s);
      if (!expected.has(id)) fail(`${name(s)} holds ${id}, which belongs to another shard: shards must not overlap.`);
    }
    const lost = [...expected].filter((id) => !graded.has(id));
    if (lost.length) fail(`${name(s)} lacks the grades of ${lost.length} of its submission(s), e.g. ${lost[0]}: run that shard again.`);
    if (s.submissions.length !== graded.size) fail(`${name(s)} lists a submission twice in its grades.json.`);
    const rowsFor = new Set(s.rows.map((r) => r.submission));
    const strayRow = [...rowsFor].find((id) => !expected.has(id));
    if (strayRow !== undefined) fail(`${name(s)} has grade rows for ${strayRow}, which is not in its slice.`);
    for (const id of expected) {
      if (!rowsFor.has(id)) fail(`${name(s)} has no grade rows for ${id}: run that shard again.`);
      if (!fs.existsSync(feedbackPath(s.dir, id))) fail(`${name(s)} lacks the feedback page of ${id} (${feedbackPath(s.dir, id)}): run that shard again.`);
    }
  }
}

export interface MergeResult {
  shards: number;
  submissions: number;
  rows: number;
}

export function mergeShards(dirs: string[], out: string): MergeResult {
  if (dirs.length === 0) fail("expected the output folders of the shards, got none.");
  const resolvedOut = path.resolve(out);
  const shards = dirs.map((d) => readShard(path.resolve(d)));
  if (shards.some((s) => s.dir === resolvedOut)) fail(`--out: expected a folder other than the shards' own, got "${out}".`);
  if (fs.existsSync(resolvedOut) && fs.readdirSync(resolvedOut).length > 0) fail(`--out: expected a new or empty folder, got "${out}", which holds files.`);
  checkShards(shards);

  const ids = shards[0].manifest.submissions;
  const owner = new Map<string, ShardOutput>();
  for (const s of shards) for (const id of shardOf(ids, { index: s.manifest.shard, count: s.manifest.of })) owner.set(id, s);
  const rows: GradeRow[] = [];
  const submissions: SubmissionRecord[] = [];
  fs.mkdirSync(resolvedOut, { recursive: true });
  for (const id of ids) {
    const s = owner.get(id)!;
    rows.push(...s.rows.filter((r) => r.submission === id));
    submissions.push(s.submissions.find((r) => r.submission === id)!);
    const page = feedbackPath(resolvedOut, id);
    fs.mkdirSync(path.dirname(page), { recursive: true });
    fs.copyFileSync(feedbackPath(s.dir, id), page);
  }
  writeGradeFiles(resolvedOut, rows, submissions);
  return { shards: shards.length, submissions: submissions.length, rows: rows.length };
}
