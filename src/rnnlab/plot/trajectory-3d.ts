/**
 * 3-D trajectories of hidden states, drawn with plotly (vega-lite has no 3-D):
 *
 *   plot.trajectory3d(states)                                  // T×H: PCA to 3-D when H > 3
 *   plot.trajectory3d({ rnn: a, lstm: b }, { labels: tokens })  // several runs, shared axes
 *
 * Output: text/html (a plotly div, the inlined bundle on the first figure, and a static SVG
 * underneath that plotly replaces when it runs), image/svg+xml (the same static view), and
 * text/plain. The static view is an orthographic projection drawn here, so untrusted notebooks,
 * GitHub and the classic Notebook without scripts still show the shape of the trajectory.
 */
import { randomUUID } from "node:crypto";
import { HtmlView } from "./chart";
import { escapeHtml } from "./html";
import { type MatrixLike, PlotArgumentError, argError, expectOneOf, expectStrings, finiteExtent, toMatrix } from "./numeric-input";
import { type InlinePolicy, plotlyScripts } from "./plotly-bundle";
import { orthographic, pca, projectRows } from "./projection-3d";

export interface Trajectory3dOptions {
  title?: string;
  /** Per-step labels (tokens), shown on hover and, for short runs, next to the points. */
  labels?: string[];
  /** Axis titles (default "x", "y", "z", or "PC1"… after PCA). */
  axisTitles?: [string, string, string];
  /** Pixel size of the figure (default 640 × 480). */
  width?: number;
  height?: number;
  /** "once" (default): the bundle rides on the first plotly figure of a notebook; "always": on every one. */
  inlinePlotly?: InlinePolicy;
}

export type TrajectoryInput = MatrixLike | Record<string, MatrixLike> | readonly { name: string; points: MatrixLike }[];

const WHERE = "plot.trajectory3d";
/** plotly's default colour cycle, so the static view matches the interactive one. */
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

interface Run {
  name: string;
  points: number[][];
}

function readRuns(input: unknown): Run[] {
  if (Array.isArray(input) && input.length > 0 && input.every((r) => r && typeof r === "object" && "points" in r && "name" in r)) {
    return (input as { name: string; points: MatrixLike }[]).map((r, i) => ({ name: String(r.name), points: toMatrix(WHERE, `runs[${i}].points`, r.points) }));
  }
  if (input && typeof input === "object" && !Array.isArray(input) && !ArrayBuffer.isView(input) && typeof (input as { arraySync?: unknown }).arraySync !== "function") {
    const entries = Object.entries(input as Record<string, MatrixLike>);
    if (entries.length === 0) throw argError(WHERE, "trajectories", "at least one trajectory", input);
    return entries.map(([name, m]) => ({ name, points: toMatrix(WHERE, `trajectories.${name}`, m) }));
  }
  return [{ name: "trajectory", points: toMatrix(WHERE, "points", input) }];
}

export function trajectory3d(input: TrajectoryInput, options: Trajectory3dOptions = {}): HtmlView {
  const policy = expectOneOf(WHERE, "options.inlinePlotly", options.inlinePlotly ?? "once", ["once", "always"] as const);
  const runs = readRuns(input);
  const dim = runs[0].points[0].length;
  runs.forEach((r) => {
    if (r.points[0].length !== dim) throw new PlotArgumentError(`${WHERE}: ${r.name}: expected ${dim} columns like the first trajectory, got ${r.points[0].length}.`);
  });
  if (dim < 3) throw new PlotArgumentError(`${WHERE}: points: expected T×3 points or T×H states with H > 3 (projected by PCA), got T×${dim}; use plot.line or plot.scatter for 1-D or 2-D.`);
  const maxLen = runs.reduce((m, r) => Math.max(m, r.points.length), 0);
  const labels = options.labels === undefined ? undefined : expectStrings(WHERE, "options.labels", options.labels, maxLen, "one per step of the longest trajectory");
  const width = options.width ?? 640;
  const height = options.height ?? 480;

  let axisTitles = options.axisTitles ?? ["x", "y", "z"];
  let note = "";
  let pts3 = runs.map((r) => r.points);
  if (dim > 3) {
    const model = pca(runs.flatMap((r) => r.points), 3);
    pts3 = runs.map((r) => projectRows(r.points, model));
    const pct = model.explained.map((e) => Math.round(e * 100));
    axisTitles = options.axisTitles ?? [`PC1 (${pct[0]}%)`, `PC2 (${pct[1]}%)`, `PC3 (${pct[2]}%)`];
    note = `PCA of ${dim}-D states, ${Math.round(model.explained.reduce((a, b) => a + b, 0) * 100)}% of variance`;
  }

  const showText = labels !== undefined && maxLen <= 30;
  const traces = runs.map((r, i) => ({
    type: "scatter3d",
    mode: showText ? "lines+markers+text" : "lines+markers",
    name: r.name,
    x: pts3[i].map((p) => p[0]),
    y: pts3[i].map((p) => p[1]),
    z: pts3[i].map((p) => p[2]),
    text: labels ? labels.slice(0, r.points.length) : r.points.map((_, t) => `step ${t}`),
    hovertemplate: "%{text}<br>(%{x:.3f}, %{y:.3f}, %{z:.3f})<extra>" + escapeHtml(r.name) + "</extra>",
    line: { width: 4, color: COLORS[i % COLORS.length] },
    marker: { size: 3, color: COLORS[i % COLORS.length] },
    textfont: { size: 10 },
  }));
  const layout = {
    title: options.title ? { text: options.title } : undefined,
    width,
    height,
    margin: { l: 10, r: 10, t: options.title ? 50 : 30, b: 10 },
    scene: { xaxis: { title: { text: axisTitles[0] } }, yaxis: { title: { text: axisTitles[1] } }, zaxis: { title: { text: axisTitles[2] } } },
    showlegend: runs.length > 1,
  };
  const svg = staticSvg(pts3, runs.map((r) => r.name), axisTitles, showText ? labels : undefined, width, height, options.title);
  const id = `rnnlab-plotly-${randomUUID()}`;
  const drawBody = `el.innerHTML = ""; if (note) note.remove(); Plotly.newPlot(el, ${JSON.stringify(traces)}, ${JSON.stringify(layout)}, {displaylogo: false, responsive: true});`;
  const scripts = plotlyScripts(id, drawBody, policy, "The interactive 3-D view needs plotly.js, which rides on the first 3-D figure of this notebook; that output is missing or not rendered. Re-run with { inlinePlotly: \"always\" } to make this figure self-contained.");
  // The plot div gets a fixed height: with only min-height, plotly's 100%-height container
  // misbehaves and content after the figure was not painted (seen in Chromium).
  const html =
    `<div class="rnnlab-plotly-figure"><div id="${id}" class="rnnlab-plotly" style="width:${width}px;height:${height}px">${svg}</div>` +
    `<div id="${id}-note" style="font:11px sans-serif;color:#888">static view; the interactive 3-D figure needs JavaScript (a trusted notebook)</div></div>` +
    scripts.html;
  const lens = runs.map((r) => r.points.length);
  const text = `Trajectory3D: ${runs.length} trajector${runs.length > 1 ? "ies" : "y"} × ${lens.every((l) => l === lens[0]) ? lens[0] : lens.join("/")} steps${note ? `, ${note}` : ""}; interactive with plotly in a trusted notebook`;
  return new HtmlView(html, text, { "image/svg+xml": svg });
}

/** A fixed-camera orthographic picture of the trajectories: axes box, lines, start ○ and end ■. */
function staticSvg(runs: number[][][], names: string[], axisTitles: string[], labels: string[] | undefined, width: number, height: number, title?: string): string {
  const all = runs.flat();
  const extents = [0, 1, 2].map((k) => finiteExtent(all.map((p) => p[k])));
  const lo = extents.map((e) => e[0]);
  const hi = extents.map((e) => e[1]);
  // Normalise each axis to [-1, 1] (as plotly's default "auto" aspect does) before the camera.
  const norm = (p: number[]) => p.map((v, k) => (hi[k] > lo[k] ? (2 * (v - lo[k])) / (hi[k] - lo[k]) - 1 : 0));
  const view = (p: number[]) => orthographic(norm(p), 35, 22);
  const corners: number[][] = [];
  for (const a of [lo[0], hi[0]]) for (const b of [lo[1], hi[1]]) for (const c of [lo[2], hi[2]]) corners.push([a, b, c]);
  const screenCorners = corners.map(view);
  const projected = runs.map((r) => r.map(view));
  const [xMin, xMax] = finiteExtent([...screenCorners, ...projected.flat()].map((p) => p[0]));
  const [yMin, yMax] = finiteExtent([...screenCorners, ...projected.flat()].map((p) => p[1]));
  const top = title ? 34 : 14;
  const pad = 56; // room for the axis titles outside the box
  const legendW = names.length > 1 ? 130 : 0;
  const sx = Math.min((width - 2 * pad - legendW) / (xMax - xMin || 1), (height - top - pad) / (yMax - yMin || 1));
  const ox = pad - xMin * sx;
  const oy = top - yMin * sx;
  const X = (p: number[]) => (ox + p[0] * sx).toFixed(1);
  const Y = (p: number[]) => (oy + p[1] * sx).toFixed(1);
  const parts: string[] = [];
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  if (title) parts.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-family="sans-serif" font-size="14" font-weight="bold">${escapeHtml(title)}</text>`);
  // Box edges: corners differing in exactly one coordinate.
  for (let i = 0; i < 8; i++) {
    for (let j = i + 1; j < 8; j++) {
      const diff = [0, 1, 2].filter((k) => corners[i][k] !== corners[j][k]).length;
      if (diff === 1) parts.push(`<line x1="${X(screenCorners[i])}" y1="${Y(screenCorners[i])}" x2="${X(screenCorners[j])}" y2="${Y(screenCorners[j])}" stroke="#ddd"/>`);
    }
  }
  // Axis titles on the outer edges: x and y on the lowest parallel edge, z on the leftmost one,
  // pushed away from the box centre so they do not sit on the data.
  const centre = view(lo.map((v, j) => (v + hi[j]) / 2));
  [0, 1, 2].forEach((k) => {
    const edges: number[][] = [];
    for (const a of [0, 1]) {
      for (const b of [0, 1]) {
        const others = [0, 1, 2].filter((j) => j !== k);
        const p = [0, 0, 0];
        p[k] = (lo[k] + hi[k]) / 2;
        p[others[0]] = a ? hi[others[0]] : lo[others[0]];
        p[others[1]] = b ? hi[others[1]] : lo[others[1]];
        edges.push(view(p));
      }
    }
    const mid = edges.reduce((best, e) => (k === 2 ? (e[0] < best[0] ? e : best) : e[1] > best[1] ? e : best));
    const dx = mid[0] - centre[0];
    const dy = mid[1] - centre[1];
    const len = Math.hypot(dx, dy) || 1;
    const at = [mid[0] + (dx / len) * (18 / sx), mid[1] + (dy / len) * (18 / sx)];
    parts.push(`<text x="${X(at)}" y="${Y(at)}" dy="4" text-anchor="middle" font-family="sans-serif" font-size="11" fill="#555">${escapeHtml(axisTitles[k])}</text>`);
  });
  projected.forEach((pts, i) => {
    const color = COLORS[i % COLORS.length];
    parts.push(`<polyline class="trajectory" fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${X(p)},${Y(p)}`).join(" ")}"/>`);
    parts.push(`<circle cx="${X(pts[0])}" cy="${Y(pts[0])}" r="4" fill="white" stroke="${color}" stroke-width="2"><title>${escapeHtml(names[i])}: start</title></circle>`);
    const last = pts[pts.length - 1];
    parts.push(`<rect x="${(+X(last) - 4).toFixed(1)}" y="${(+Y(last) - 4).toFixed(1)}" width="8" height="8" fill="${color}"><title>${escapeHtml(names[i])}: end</title></rect>`);
    if (labels) pts.forEach((p, t) => parts.push(`<text x="${X(p)}" y="${Y(p)}" dx="4" dy="-4" font-family="sans-serif" font-size="9" fill="#333">${escapeHtml(labels[t] ?? "")}</text>`));
  });
  if (names.length > 1) {
    names.forEach((n, i) => {
      const y = top + 10 + i * 16;
      parts.push(`<line x1="${width - legendW}" y1="${y}" x2="${width - legendW + 18}" y2="${y}" stroke="${COLORS[i % COLORS.length]}" stroke-width="3"/><text x="${width - legendW + 24}" y="${y + 4}" font-family="sans-serif" font-size="11">${escapeHtml(n)}</text>`);
    });
  }
  parts.push(`<text x="${width - 8}" y="${height - 6}" text-anchor="end" font-family="sans-serif" font-size="10" fill="#999">static view (azimuth 35°, elevation 22°) · ○ start ■ end</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join("")}</svg>`;
}
