import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

// The Kubernetes recipe, checked offline (no Helm or container engine here): the values file
// against Zero to JupyterHub 2.0.0's schema and against what jupyterhub_config.py does.
// Debian's python3 has PyYAML and jsonschema (python3-yaml, python3-jsonschema).
const PROJECT = path.resolve(__dirname, "../..");
const CHECK = path.join(PROJECT, "test", "hub", "z2jh_values_check.py");
const VALUES = path.join(PROJECT, "src", "grading", "hub", "z2jh-values.yaml");
const PY = fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const run = (...args: string[]) => spawnSync(PY, [CHECK, ...args], { encoding: "utf8" });

describe("z2jh-values.yaml and the single-user Dockerfile", () => {
  it("validate against the chart's schema and agree with the hub configuration", () => {
    const r = run();
    expect(r.stdout + r.stderr).toMatch(/^ok$/m);
    expect(r.status).toBe(0);
  });

  it("fail on a key the chart does not know and on a course folder other than the hub's", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-z2jh-"));
    const bad = path.join(tmp, "values.yaml");
    const text = fs.readFileSync(VALUES, "utf8")
      .replace("defaultUrl: /tree/rnnlab-course", "defaultUrl: /tree/elsewhere")
      .replace("  memory:\n", "  memroy: {}\n  memory:\n");
    fs.writeFileSync(bad, text);
    const r = run(bad);
    fs.rmSync(tmp, { recursive: true, force: true });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/schema: singleuser: Additional properties are not allowed \('memroy' was unexpected\)/);
    expect(r.stdout).toMatch(/singleuser.defaultUrl .*expected '\/tree\/rnnlab-course', got '\/tree\/elsewhere'/);
  });
});
