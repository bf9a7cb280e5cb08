/**
 * `npm run export -- <notebook.ipynb> [out.html]`: one executed notebook (from Jupyter,
 * nbclient or the course runner) as a self-contained offline HTML page, its charts drawn from
 * the SVG every rnnlab chart carries. (nbconvert 6.5's templates pass SVG outputs through
 * lxml's HTML cleaner, which drops every SVG element and leaves only the text.)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { copyAssets, notebookTitle, renderNotebookPage } from "./html";
import { readNotebook } from "./notebook";

export async function exportHtml(input: string, output: string): Promise<void> {
  const nb = readNotebook(input);
  const name = path.basename(input, ".ipynb");
  fs.mkdirSync(path.dirname(output), { recursive: true });
  fs.writeFileSync(output, await renderNotebookPage(nb, notebookTitle(nb, name)));
  copyAssets(path.dirname(output));
}

if (require.main === module) {
  const [input, out] = process.argv.slice(2);
  if (!input) {
    console.error("usage: npm run export -- <notebook.ipynb> [out.html]");
    process.exit(2);
  }
  const output = out ?? input.replace(/\.ipynb$/, "") + ".html";
  exportHtml(input, output)
    .then(() => console.log(`wrote ${output}`))
    .catch((err) => {
      console.error((err as Error).message);
      process.exit(1);
    });
}
