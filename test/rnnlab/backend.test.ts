import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
// The built library, as notebooks load it (`npm test` builds before it runs vitest).
const entry = path.join(root, "dist/rnnlab/index.js");

/** Loads the built library in a fresh Node process with RNNLAB_BACKEND set, runs one op. */
function start(backend: string | undefined) {
  const script = `
    const r = require(${JSON.stringify(entry)});
    r.ready().then(
      (info) => { r.tf.add(r.tf.ones([2]), 1).dataSync(); console.log(JSON.stringify(info)); },
      (err) => { console.log("ERROR " + err.message); process.exitCode = 3; });`;
  const env = { ...process.env };
  delete env.RNNLAB_BACKEND;
  if (backend !== undefined) env.RNNLAB_BACKEND = backend;
  return spawnSync(process.execPath, ["-e", script], { env, encoding: "utf8" });
}

describe("backend selection", () => {
  it("defaults to wasm with SIMD when tfjs-node is absent, and prints nothing", () => {
    const r = start(undefined);
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout.trim());
    expect(info).toMatchObject({ name: "wasm", simd: true });
    expect(r.stderr).toBe("");
  });

  it("uses cpu only when asked, without tfjs's 'install tfjs-node' banner", () => {
    const r = start("cpu");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ name: "cpu", reason: "RNNLAB_BACKEND=cpu" });
    expect(r.stdout + r.stderr).not.toMatch(/tfjs-node|Hi, looks like/);
  });

  it("never falls back silently: a backend that cannot start is an error that says why", () => {
    const r = start("tensorflow");
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/ERROR rnnlab backend: RNNLAB_BACKEND=tensorflow, but @tensorflow\/tfjs-node could not be loaded/);
  });

  it("rejects an unknown RNNLAB_BACKEND, naming the allowed values", () => {
    const r = start("gpu");
    expect(r.status).toBe(3);
    expect(r.stdout).toContain('ERROR RNNLAB_BACKEND: expected one of tensorflow, wasm, cpu, got "gpu".');
  });
});
