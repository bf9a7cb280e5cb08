/**
 * Makes `import … from "rnnlab"` work in every notebook of this repository, in our kernel and
 * in stock tslab: node_modules/rnnlab becomes a link to the project itself, whose package.json
 * points at the built library (dist/rnnlab) and its type declarations. Runs after every
 * `npm install` / `npm ci` (the `prepare` script), since those rebuild node_modules.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export function linkPackage(root = path.resolve(__dirname, "../..")): string {
  const link = path.join(root, "node_modules", "rnnlab");
  let existing: string | undefined;
  try {
    existing = fs.readlinkSync(link);
  } catch {
    existing = undefined;
  }
  if (existing === "..") return link;
  fs.rmSync(link, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(link), { recursive: true });
  // Relative, so the checkout can move; "junction" makes it work on Windows without privileges.
  fs.symlinkSync("..", link, "junction");
  return link;
}

if (require.main === module) {
  const link = linkPackage();
  console.log(`rnnlab: ${path.relative(process.cwd(), link)} → the project (notebooks can import "rnnlab")`);
}
