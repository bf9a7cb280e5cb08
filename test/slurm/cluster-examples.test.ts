/** src/grading/cluster/: the Kubernetes Indexed Job and the GitHub Actions matrix parse and run test:slurm's commands. */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { expect, it } from "vitest";

it("the cluster examples run the same grade and merge commands as the Slurm array job", () => {
  const out = execFileSync("/usr/bin/python3", [path.join(__dirname, "check_cluster_examples.py")], { encoding: "utf8" });
  expect(out).toContain("run the same grade and merge commands");
});
