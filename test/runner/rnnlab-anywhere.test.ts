/**
 * `require("rnnlab")` from a notebook folder outside the project falls back to the project's
 * copy, also when the project has no node_modules/rnnlab link (a plain `npm install <pkg>`
 * removes it). The fallback once resolved through the patched resolver itself and recursed
 * until "Maximum call stack size exceeded".
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ANYWHERE = path.resolve(__dirname, "../../dist/runner/rnnlab-anywhere.js");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-anywhere-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// A project without node_modules/rnnlab: a package.json whose main is a tiny library.
const project = path.join(tmp, "project");
fs.mkdirSync(path.join(project, "lib"), { recursive: true });
fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "rnnlab", main: "lib/index.js" }));
fs.writeFileSync(path.join(project, "lib", "index.js"), "exports.answer = 42;\n");
fs.writeFileSync(path.join(project, "lib", "extra.js"), "exports.extra = 'yes';\n");
const learner = path.join(tmp, "learner");
fs.mkdirSync(learner);

function inLearnerFolder(code: string) {
  const script = `require(${JSON.stringify(ANYWHERE)}).resolveRnnlabAnywhere(${JSON.stringify(project)});\n${code}`;
  return spawnSync(process.execPath, ["-e", script], { cwd: learner, encoding: "utf8", timeout: 30_000 });
}

describe("rnnlab from any folder", () => {
  it("resolves the package and its files from a project without the node_modules link", () => {
    const r = inLearnerFolder(`console.log(JSON.stringify([require("rnnlab").answer, require("rnnlab/lib/extra").extra]));`);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual([42, "yes"]);
  });

  it("still fails, with Node's own error, for a file the project does not have", () => {
    const r = inLearnerFolder(`try { require("rnnlab/lib/missing"); } catch (e) { console.log(e.code); }`);
    expect(r.stdout.trim()).toBe("MODULE_NOT_FOUND");
  });

  it("leaves other missing packages alone", () => {
    const r = inLearnerFolder(`try { require("not-rnnlab"); } catch (e) { console.log(e.code); }`);
    expect(r.stdout.trim()).toBe("MODULE_NOT_FOUND");
  });
});
