/**
 * Executed notebooks as a static HTML site that works offline: markdown through marked, maths
 * through KaTeX (rendered here, so the page needs no script for it), and each output shown in
 * its richest static form: HTML, then SVG, then PNG, then text. Charts carry an SVG rendering
 * beside their vega-lite spec, so they draw without any JavaScript.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import katex from "katex";
import { sourceOf, type Cell, type Notebook, type Output } from "./notebook";

type Marked = { parse(src: string, options?: { async: false }): string };
let markedLoad: Promise<Marked> | undefined;
/** marked is ESM-only; a real dynamic import keeps this CommonJS module able to load it. */
function loadMarked(): Promise<Marked> {
  markedLoad ??= (import("marked") as Promise<{ marked: Marked }>).then((m) => m.marked);
  return markedLoad;
}

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

// eslint-disable-next-line no-control-regex
export const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");

/** Markdown with $…$ and $$…$$ maths; code spans and fences are left alone. */
export async function renderMarkdown(src: string): Promise<string> {
  const marked = await loadMarked();
  const maths: string[] = [];
  const keep = (html: string) => `\u0000${maths.push(html) - 1}\u0000`;
  const parts = src.split(/(```[\s\S]*?```|`[^`\n]*`)/g);
  const protectedSrc = parts
    .map((part, i) => {
      if (i % 2 === 1) return part;
      return part
        .replace(/\$\$([\s\S]+?)\$\$/g, (_, tex) => keep(katex.renderToString(tex, { displayMode: true, throwOnError: false })))
        .replace(/(^|[^\\$])\$([^$\n]+?)\$/g, (_, pre, tex) => pre + keep(katex.renderToString(tex, { throwOnError: false })));
    })
    .join("");
  const html = marked.parse(protectedSrc, { async: false });
  return html.replace(/\u0000(\d+)\u0000/g, (_, i) => maths[Number(i)]);
}

const text = (v: unknown): string => (Array.isArray(v) ? v.join("") : String(v ?? ""));

export function renderOutput(o: Output): string {
  if (o.output_type === "stream") {
    return `<pre class="out ${o.name}">${escapeHtml(stripAnsi(text(o.text)))}</pre>`;
  }
  if (o.output_type === "error") {
    const tb = o.traceback?.length ? o.traceback.map(stripAnsi).join("\n") : `${o.ename}: ${o.evalue}`;
    return `<pre class="out error">${escapeHtml(tb)}</pre>`;
  }
  const d = o.data ?? {};
  if (d["text/html"] !== undefined) return `<div class="out html">${text(d["text/html"])}</div>`;
  if (d["image/svg+xml"] !== undefined) return `<div class="out svg">${text(d["image/svg+xml"])}</div>`;
  if (d["image/png"] !== undefined) return `<div class="out png"><img alt="" src="data:image/png;base64,${text(d["image/png"]).trim()}"></div>`;
  if (d["text/markdown"] !== undefined) return `<pre class="out">${escapeHtml(text(d["text/markdown"]))}</pre>`;
  if (d["text/plain"] !== undefined) return `<pre class="out">${escapeHtml(stripAnsi(text(d["text/plain"])))}</pre>`;
  return "";
}

async function renderCell(cell: Cell): Promise<string> {
  const src = sourceOf(cell);
  if (cell.cell_type === "markdown") return `<section class="md">${await renderMarkdown(src)}</section>`;
  if (cell.cell_type === "raw") return `<pre class="raw">${escapeHtml(src)}</pre>`;
  const count = cell.execution_count ?? " ";
  const outs = (cell.outputs ?? []).map(renderOutput).join("\n");
  return `<section class="code"><div class="prompt">[${count}]</div><pre class="src"><code>${escapeHtml(src)}</code></pre>${outs ? `<div class="outputs">${outs}</div>` : ""}</section>`;
}

const STYLE = `
body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#1b1f24}
nav{margin-bottom:1.5rem;font-size:.9rem} a{color:#0b5cad}
section.code{margin:1rem 0;position:relative} .prompt{color:#888;font:12px monospace;position:absolute;left:-3.2rem;top:.5rem}
pre{overflow-x:auto;margin:0} pre.src{background:#f6f8fa;border:1px solid #e1e4e8;border-radius:4px;padding:.6rem .8rem;font-size:13.5px}
.outputs{border-left:3px solid #d0d7de;padding:.3rem 0 .3rem .8rem;margin-top:.3rem}
pre.out{font-size:13px;white-space:pre-wrap} pre.stderr{color:#8a4b00} pre.error{color:#b00020;background:#fff5f5;padding:.4rem}
.out svg{max-width:100%;height:auto} table{border-collapse:collapse} td,th{border:1px solid #ddd;padding:2px 6px;font-size:13px}
`;

export interface PageLink {
  href: string;
  title: string;
}

function page(title: string, body: string, nav: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="assets/katex/katex.min.css"><style>${STYLE}</style></head>
<body>${nav}
${body}
</body></html>
`;
}

export function notebookTitle(nb: Notebook, fallback: string): string {
  const first = nb.cells.find((c) => c.cell_type === "markdown");
  const m = first && /^#\s+(.+)$/m.exec(sourceOf(first));
  return m ? m[1].trim() : fallback;
}

export async function renderNotebookPage(nb: Notebook, title: string, index = "index.html"): Promise<string> {
  const cells: string[] = [];
  for (const c of nb.cells) cells.push(await renderCell(c));
  return page(title, cells.join("\n"), `<nav><a href="${index}">← course index</a></nav>`);
}

export function renderIndexPage(title: string, pages: (PageLink & { status?: string })[]): string {
  const items = pages.map((p) => `<li><a href="${escapeHtml(p.href)}">${escapeHtml(p.title)}</a>${p.status ? ` — ${escapeHtml(p.status)}` : ""}</li>`).join("\n");
  return page(title, `<h1>${escapeHtml(title)}</h1><ol>${items}</ol>`, "");
}

/** KaTeX's stylesheet and fonts, copied beside the pages so maths renders offline. */
export function copyAssets(outDir: string): void {
  const katexDist = path.join(path.dirname(require.resolve("katex/package.json")), "dist");
  const dest = path.join(outDir, "assets", "katex");
  fs.mkdirSync(path.join(dest, "fonts"), { recursive: true });
  fs.copyFileSync(path.join(katexDist, "katex.min.css"), path.join(dest, "katex.min.css"));
  for (const f of fs.readdirSync(path.join(katexDist, "fonts"))) {
    if (f.endsWith(".woff2")) fs.copyFileSync(path.join(katexDist, "fonts", f), path.join(dest, "fonts", f));
  }
}
