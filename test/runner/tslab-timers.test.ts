/**
 * A folder changing near a module lookup that failed (a learner imports "./helper" before writing
 * helper.ts; node_modules made and removed; a grader's temporary folders) makes TypeScript ask
 * tslab's converter for a second timer. Without the shared timer slot every later compile threw
 * "Unexpected pending rebuildTimer" until the kernel was restarted (seen in the hub's kernels and
 * in course runs). Through the kernel's compiler thread, in a child process started in a fresh
 * temporary folder, as a kernel started in a learner's folder is.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const DIST = path.resolve(__dirname, "../../dist/runner");
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-timers-"));
afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));

const SCRIPT = `
const fs = require("fs"), path = require("path");
const { CompilerThread } = require(${JSON.stringify(path.join(DIST, "compiler-thread.js"))});
const thread = new CompilerThread();
const convert = (src) => {
  try {
    const r = thread.call("node", "convert", ["", src]);
    return r.diagnostics.length ? "diagnostic: " + r.diagnostics[0].messageText : "ok";
  } catch (err) { return "threw: " + err.message; }
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  const seen = [convert('import * as h from "./helper"; const a = 1;')];
  for (let i = 0; i < 4; i++) {
    const d = path.join(process.cwd(), "x" + i);
    fs.mkdirSync(d); fs.mkdirSync("node_modules", { recursive: true });
    await sleep(150);
    fs.rmSync(d, { recursive: true }); fs.rmSync("node_modules", { recursive: true });
    await sleep(150);
    seen.push(convert("const c" + i + " = " + i + ";"));
  }
  fs.writeFileSync("helper.ts", "export const h = 42;\\n");
  await sleep(300);
  seen.push(convert('import * as h from "./helper"; const b: number = h.h;'));
  console.log(JSON.stringify(seen));
  await thread.close();
  process.exit(0);
})();
`;

describe("TypeScript's timers in tslab's converter", () => {
  it("keep compiling after folders change near a failed lookup, and then find the new module", () => {
    const r = spawnSync(process.execPath, ["-e", SCRIPT], { cwd, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const seen = JSON.parse(r.stdout.trim().split("\n").pop()!) as string[];
    expect(seen[0]).toMatch(/Cannot find module '\.\/helper'/);
    expect(seen.slice(1, 5)).toEqual(["ok", "ok", "ok", "ok"]);
    // The failed lookup was re-resolved once helper.ts existed: its type checks.
    expect(seen[5]).toBe("ok");
  }, 150_000);
});
