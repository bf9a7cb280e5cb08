/**
 * `npm run grade:merge -- <shard folder>… --out DIR`
 *
 * Joins the folders written by `npm run grade -- --shard i/n --out <shard folder>` (one per
 * i = 0 … n-1, in any order) into DIR: the grades.csv, grades.json and feedback/ that one
 * unsharded `npm run grade` writes (merge.ts). Exit code 0 when merged, 2 for bad arguments or
 * shards that do not fit together (nothing is written then).
 */
import { mergeShards } from "./merge";

const USAGE = "Usage: npm run grade:merge -- <shard folder>… --out DIR";

function parse(argv: string[]): { dirs: string[]; out: string } {
  const dirs: string[] = [];
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--out") {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`npm run grade:merge: --out: expected a folder after it, got ${v ?? "nothing"}. ${USAGE}`);
      out = v;
    } else if (a.startsWith("--")) throw new Error(`npm run grade:merge: unknown option ${a}. ${USAGE}`);
    else dirs.push(a);
  }
  if (out === undefined) throw new Error(`npm run grade:merge: --out: expected the folder to write the merged grades to, got none. ${USAGE}`);
  if (dirs.length === 0) throw new Error(`npm run grade:merge: expected the output folders of the shards, got none. ${USAGE}`);
  return { dirs, out };
}

try {
  const { dirs, out } = parse(process.argv.slice(2));
  const r = mergeShards(dirs, out);
  console.log(`merged ${r.shards} shard(s): ${r.submissions} submission(s), ${r.rows} grade row(s) into ${out}`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
