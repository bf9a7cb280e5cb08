/**
 * `npm run exchange -- <command> <assignment> [options]`: nbgrader's exchange steps.
 *
 *   teacher:  release, collect, return
 *   student:  fetch, submit, fetch-feedback
 *
 * Every command takes --root DIR (or $RNNLAB_EXCHANGE; default /srv/nbgrader/exchange) and
 * --course NAME (or $RNNLAB_COURSE; default rnnlab). Exit code 0 on success, 1 when the step
 * failed (the message says why), 2 for bad arguments.
 */
import * as path from "node:path";
import { collectAssignment } from "./collect";
import { fetchAssignment } from "./fetch";
import { fetchFeedback, returnFeedback } from "./feedback";
import { DEFAULT_COURSE, DEFAULT_ROOT, ExchangeError, defaultCache, parseDue } from "./layout";
import { releaseAssignment } from "./release";
import { submitAssignment } from "./submit";

export const USAGE = `Usage: npm run exchange -- <command> <assignment> [options]
  release <assignment> [files or folders…] [--due DATE] [--force]      teacher: publish (default: notebooks/<assignment>.ipynb)
  fetch <assignment> [--dir DIR] [--replace-missing]                    student: copy it into DIR/<assignment>
  submit <assignment> [--dir DIR] [--student NAME] [--strict]           student: hand in DIR/<assignment> (again to resubmit)
  collect <assignment> [--out DIR] [--update] [--before-duedate] [--due DATE] [--student NAME] [--no-check-owner]
                                                                        teacher: newest submissions into DIR/<student>/<assignment>/ (default submitted)
  return <assignment> [--submitted DIR] [--feedback DIR] [--student NAME] teacher: grader feedback (default build/grades/feedback) back to each student
  fetch-feedback <assignment> [--dir DIR] [--student NAME]              student: into DIR/<assignment>/feedback/<timestamp>/
Common: --root DIR (or RNNLAB_EXCHANGE, default ${DEFAULT_ROOT}), --course NAME (or RNNLAB_COURSE, default ${DEFAULT_COURSE}),
        --cache DIR (student side; or RNNLAB_EXCHANGE_CACHE, default $JUPYTER_DATA_DIR/nbgrader_cache)`;

export class UsageError extends Error {
  override name = "UsageError";
}

const COMMANDS = ["release", "fetch", "submit", "collect", "return", "fetch-feedback"] as const;
type Command = (typeof COMMANDS)[number];

/** Which flags each command takes: a value flag's name maps to true, a switch to false. */
const FLAGS: Record<Command, Record<string, boolean>> = {
  release: { "--due": true, "--force": false },
  fetch: { "--dir": true, "--replace-missing": false },
  submit: { "--dir": true, "--student": true, "--strict": false, "--cache": true },
  collect: { "--out": true, "--update": false, "--before-duedate": false, "--due": true, "--student": true, "--no-check-owner": false },
  return: { "--submitted": true, "--feedback": true, "--student": true },
  "fetch-feedback": { "--dir": true, "--student": true, "--cache": true },
};

export interface Parsed {
  command: Command;
  assignment: string;
  positional: string[];
  flags: Record<string, string | true>;
  root: string;
  course: string;
}

export function parseExchangeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Parsed {
  const [command, ...rest] = argv;
  if (!COMMANDS.includes(command as Command)) throw new UsageError(`npm run exchange: expected a command (${COMMANDS.join(", ")}), got ${command === undefined ? "nothing" : JSON.stringify(command)}.\n${USAGE}`);
  const cmd = command as Command;
  const allowed: Record<string, boolean> = { "--root": true, "--course": true, ...FLAGS[cmd] };
  const flags: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith("--")) {
      positional.push(a);
      continue;
    }
    if (!(a in allowed)) throw new UsageError(`npm run exchange ${cmd}: unknown option ${a}; it takes ${Object.keys(allowed).join(", ")}.`);
    if (!allowed[a]) {
      flags[a] = true;
      continue;
    }
    const v = rest[++i];
    if (v === undefined || v.startsWith("--")) throw new UsageError(`npm run exchange ${cmd}: ${a}: expected a value after it, got ${v ?? "nothing"}.`);
    flags[a] = v;
  }
  const [assignment, ...others] = positional;
  if (assignment === undefined) throw new UsageError(`npm run exchange ${cmd}: expected an assignment name, got nothing.\n${USAGE}`);
  if (others.length && cmd !== "release") throw new UsageError(`npm run exchange ${cmd}: expected one assignment name, got also ${others.map((o) => JSON.stringify(o)).join(", ")}.`);
  const root = path.resolve((flags["--root"] as string | undefined) ?? env.RNNLAB_EXCHANGE ?? DEFAULT_ROOT);
  const course = (flags["--course"] as string | undefined) ?? env.RNNLAB_COURSE ?? DEFAULT_COURSE;
  return { command: cmd, assignment, positional: others, flags, root, course };
}

export function runExchange(argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), log: (m: string) => void = console.log): unknown {
  const p = parseExchangeArgs(argv, env);
  const str = (flag: string) => p.flags[flag] as string | undefined;
  const dir = (flag: string, fallback: string) => path.resolve(cwd, str(flag) ?? fallback);
  const cache = path.resolve(cwd, str("--cache") ?? env.RNNLAB_EXCHANGE_CACHE ?? defaultCache(env));
  const due = str("--due") === undefined ? undefined : parseDue(str("--due")!);
  const common = { root: p.root, course: p.course, assignment: p.assignment, log };
  switch (p.command) {
    case "release":
      return releaseAssignment({ ...common, inputs: p.positional.map((x) => path.resolve(cwd, x)), due, force: p.flags["--force"] === true });
    case "fetch":
      return fetchAssignment({ ...common, dir: dir("--dir", "."), replaceMissing: p.flags["--replace-missing"] === true });
    case "submit":
      return submitAssignment({ ...common, dir: dir("--dir", "."), cache, student: str("--student"), strict: p.flags["--strict"] === true });
    case "collect":
      return collectAssignment({
        ...common, out: dir("--out", "submitted"), update: p.flags["--update"] === true, beforeDuedate: p.flags["--before-duedate"] === true,
        due, student: str("--student"), checkOwner: p.flags["--no-check-owner"] !== true,
      });
    case "return":
      return returnFeedback({ ...common, submitted: dir("--submitted", "submitted"), feedback: dir("--feedback", "build/grades/feedback"), student: str("--student") });
    case "fetch-feedback":
      return fetchFeedback({ ...common, dir: dir("--dir", "."), cache, student: str("--student") });
  }
}

if (require.main === module) {
  try {
    // npm runs scripts in the project's folder; INIT_CWD is where the user typed the command,
    // which is where a student's assignment folder and a teacher's submitted/ live. Only under
    // `npm run exchange` itself: INIT_CWD is inherited by every process an npm script starts.
    const typedIn = process.env.npm_lifecycle_event === "exchange" ? process.env.INIT_CWD : undefined;
    runExchange(process.argv.slice(2), process.env, typedIn ?? process.cwd());
  } catch (err) {
    console.error((err as Error).message);
    // A bad argument (its message starts with the argument's name) is exit code 2, as in `npm run grade`.
    const badArgument = err instanceof UsageError || (err instanceof ExchangeError && /^(--[\w-]+|assignment): /.test(err.message));
    process.exit(badArgument ? 2 : 1);
  }
}
