/**
 * Getting plotly.js onto the page with no CDN, for figures vega-lite cannot draw (3-D).
 *
 * plotly.js-dist-min is a 4.8 MB browser bundle (it cannot run in Node). It is read from
 * node_modules on first use and inlined into a text/html output inside a guard, so it executes
 * only if `window.Plotly` is not there yet. Inlining it into every figure would be correct but
 * heavy, so by default only the FIRST plotly figure of a notebook carries it ("once"); later
 * figures wait for it (a small queue on window) and then draw. That stays correct in exported
 * HTML as long as that first output is kept: a page renders outputs top to bottom.
 *
 * "Notebook" here means "display sink": the course runner installs one per notebook, so each
 * exported page gets its own copy; a host that reuses one sink across pages calls
 * resetPlotlyInlining() when it starts the next page. If the carrying
 * output is later cleared (or a cell re-run in a new order), the waiting figures say so in place
 * and show their static picture; `{ inlinePlotly: "always" }` makes each figure self-contained.
 */
import { readFileSync } from "node:fs";
import { SINK } from "../display";

let bundleSource: string | undefined;
/** Display sinks (one per notebook, as the runner installs them) whose page already has the bundle. */
let inlinedFor = new WeakSet<object>();
/** Stands for "no sink" (stock tslab, plain Node): one page per process. */
const NO_SINK = {};

function currentPage(): object {
  return ((globalThis as Record<symbol, unknown>)[SINK] as object | undefined) ?? NO_SINK;
}

export type InlinePolicy = "once" | "always";

/** The plotly bundle's source, read once per process. */
export function plotlyBundleSource(): string {
  if (bundleSource === undefined) {
    const path = require.resolve("plotly.js-dist-min");
    // A "</script>" inside inlined code would end the script element early.
    bundleSource = readFileSync(path, "utf8").replace(/<\/(script)/gi, "<\\/$1");
  }
  return bundleSource;
}

/** Start of a new notebook/page: the next plotly figure carries the bundle again. */
export function resetPlotlyInlining(): void {
  inlinedFor = new WeakSet<object>();
}

/** Name of the window property holding draw callbacks that wait for the bundle. */
const QUEUE = "__rnnlabPlotlyWaiting";

/** The `<script>` that defines window.Plotly (if needed) and runs figures waiting for it. */
function bundleScript(): string {
  return (
    `<script type="text/javascript">if (!window.Plotly) {\n${plotlyBundleSource()}\n}\n` +
    `(window.${QUEUE} || []).splice(0).forEach(function (draw) { draw(); });</script>`
  );
}

/**
 * The scripts a figure needs: the bundle when the policy asks for it, then the figure's own draw
 * call, which runs now if Plotly is loaded or queues itself until the bundle output has run.
 * `drawBody` sees `el` (the plot div) and `note` (the caption under it, `${elementId}-note`).
 */
export function plotlyScripts(elementId: string, drawBody: string, policy: InlinePolicy, waitNote: string): { html: string; carriesBundle: boolean } {
  const page = currentPage();
  const carriesBundle = policy === "always" || !inlinedFor.has(page);
  inlinedFor.add(page);
  const draw = `<script type="text/javascript">(function () {
  var el = document.getElementById(${JSON.stringify(elementId)});
  var note = document.getElementById(${JSON.stringify(elementId + "-note")});
  if (!el) return;
  function draw() { ${drawBody} }
  if (window.Plotly) { draw(); return; }
  (window.${QUEUE} = window.${QUEUE} || []).push(draw);
  setTimeout(function () {
    if (window.Plotly) return;
    if (!note) return;
    note.style.color = "#a33";
    note.textContent = ${JSON.stringify(waitNote)};
  }, 4000);
})();</script>`;
  return { html: (carriesBundle ? bundleScript() : "") + draw, carriesBundle };
}
