// node test/slurm/same-output.mjs <unsharded grades folder> <merged folder>
// Exit 0 when both folders hold the same files with the same bytes, grades.json's
// submissions[].seconds (the grader's only timing) set aside; else lists the differences, exit 1.
import * as fs from "node:fs";
import * as path from "node:path";

function snapshot(dir) {
  const files = new Map();
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.set(path.relative(dir, p), fs.readFileSync(p));
    }
  };
  walk(dir);
  const json = files.get("grades.json");
  if (json) {
    const parsed = JSON.parse(json.toString("utf8"));
    for (const s of parsed.submissions) s.seconds = 0;
    files.set("grades.json", Buffer.from(JSON.stringify(parsed, null, 1) + "\n"));
  }
  return files;
}

const [a, b] = process.argv.slice(2);
if (!a || !b) {
  console.error("usage: node test/slurm/same-output.mjs <unsharded folder> <merged folder>");
  process.exit(2);
}
const A = snapshot(a);
const B = snapshot(b);
const diffs = [];
for (const f of A.keys()) if (!B.has(f)) diffs.push(`only in ${a}: ${f}`);
for (const f of B.keys()) if (!A.has(f)) diffs.push(`only in ${b}: ${f}`);
for (const [f, bytes] of A) if (B.has(f) && !bytes.equals(B.get(f))) diffs.push(`differs: ${f}`);
if (diffs.length) {
  console.error(`${a} and ${b} differ (beyond grades.json's seconds):\n${diffs.slice(0, 20).join("\n")}`);
  process.exit(1);
}
console.log(`same output: ${A.size} file(s) equal byte for byte (grades.json's seconds set aside)`);
