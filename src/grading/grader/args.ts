/** `npm run grade -- <files or folders> [--out DIR] [--jobs N] [--timeout S] [--source DIR] [--memory MB] [--shard i/n] [--keep]` */
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "./sandbox";
import { parseShard, type ShardSpec } from "./shard";

export interface GradeOptions {
  inputs: string[];
  out: string;
  source: string;
  jobs: number;
  timeoutS: number;
  /** V8 heap cap per submission, MB; resident memory may reach twice that plus 512 MB. */
  memoryMb: number;
  /** Keep the sandbox folder (scratch copies) after the batch, to debug a submission. */
  keep: boolean;
  /** Wall-clock cap per submission, s; default: startup plus twice every cell's time limit. */
  totalS?: number;
  /** Grade only this slice of the class (shard.ts), for `npm run grade:merge`. */
  shard?: ShardSpec;
}

export const USAGE = "Usage: npm run grade -- <files or folders> [--out DIR] [--jobs N] [--timeout S] [--source DIR] [--memory MB] [--total-timeout S] [--shard i/n] [--keep]";

export function parseGradeArgs(argv: string[], cwd = process.cwd()): GradeOptions {
  const o: GradeOptions = {
    inputs: [], out: path.join(ROOT, "build", "grades"), source: path.join(ROOT, "solutions"),
    jobs: os.availableParallelism(), timeoutS: 60, memoryMb: 1024, keep: false,
  };
  const positive = (flag: string, v: string, what: string) => {
    const n = Number(v);
    if (!(Number.isFinite(n) && n > 0)) throw new Error(`npm run grade: ${flag}: expected ${what}, got ${JSON.stringify(v)}.`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`npm run grade: ${a}: expected a value after it, got ${v ?? "nothing"}.`);
      return v;
    };
    if (a === "--out") o.out = path.resolve(cwd, value());
    else if (a === "--source") o.source = path.resolve(cwd, value());
    else if (a === "--jobs") o.jobs = Math.floor(positive(a, value(), "a whole number of parallel submissions ≥ 1"));
    else if (a === "--timeout") o.timeoutS = positive(a, value(), "a positive number of seconds per cell");
    else if (a === "--memory") o.memoryMb = Math.floor(positive(a, value(), "a positive number of megabytes"));
    else if (a === "--total-timeout") o.totalS = positive(a, value(), "a positive number of seconds per submission");
    else if (a === "--shard") o.shard = parseShard(value());
    else if (a === "--keep") o.keep = true;
    else if (a.startsWith("--")) throw new Error(`npm run grade: unknown option ${a}. ${USAGE}`);
    else o.inputs.push(path.resolve(cwd, a));
  }
  if (o.inputs.length === 0) throw new Error(`npm run grade: expected at least one submission file or folder, got none. ${USAGE}`);
  if (o.jobs < 1) throw new Error(`npm run grade: --jobs: expected at least 1, got ${o.jobs}.`);
  return o;
}
