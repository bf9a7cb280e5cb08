/**
 * Heatmaps: a matrix as coloured cells, rows on y and columns on x.
 *  - `plot.heatmap(states, { transpose: true, xLabels: tokens, yTitle: "unit" })`: units × time;
 *  - `plot.attention(weights, { queryTokens, keyTokens })`: who attends to whom, tokens on both axes.
 * Positions are indices and labels are looked up (see indexLabelAxis), so repeated tokens stay apart.
 */
import { Chart } from "./chart";
import { type ChartOptions, cellSize, checkChartOptions, compactNumber, indexLabelAxis, labelsThatFit } from "./spec-parts";
import { type MatrixLike, argError, expectStrings, finiteExtent, fmt, toMatrix } from "./numeric-input";
import { RASTER_SCHEMES, matrixToPngDataUrl, rasterColorScale } from "./raster";

export interface HeatmapOptions extends ChartOptions {
  /** Label per column (e.g. the tokens of a sentence). */
  xLabels?: string[];
  /** Label per row (e.g. unit names). */
  yLabels?: string[];
  xTitle?: string;
  yTitle?: string;
  /** Title of the colour legend (default "value"). */
  valueTitle?: string;
  /** Show the transpose: T×H hidden states become units (rows) × time (columns). */
  transpose?: boolean;
  /** A vega colour scheme; default: "blueorange" centred on 0 when values have both signs, else "viridis". */
  scheme?: string;
  /** Fix the colour domain, e.g. [-1, 1] for tanh states or [0, 1] for attention. */
  domain?: [number, number];
  /**
   * Draw the cells as one embedded PNG (small files, no per-cell tooltips) instead of vector
   * rects. Default: automatic above RASTER_THRESHOLD cells, for the built-in schemes.
   */
  raster?: boolean;
}

/** Above this many cells a heatmap is rasterized by default (a vector one costs ~160 B of SVG per cell). */
export const RASTER_THRESHOLD = 4000;

export interface HeatmapCell {
  row: number;
  col: number;
  rowLabel: string;
  colLabel: string;
  value: number | null;
}

export function transposeMatrix(m: number[][]): number[][] {
  return m[0].map((_, c) => m.map((row) => row[c]));
}

export function heatmapCells(m: number[][], rowLabels: string[], colLabels: string[]): HeatmapCell[] {
  const cells: HeatmapCell[] = [];
  for (let r = 0; r < m.length; r++) {
    for (let c = 0; c < m[r].length; c++) {
      const v = m[r][c];
      cells.push({ row: r, col: c, rowLabel: rowLabels[r], colLabel: colLabels[c], value: compactNumber(v) });
    }
  }
  return cells;
}

/** Which scheme and numeric domain a heatmap uses: diverging around 0 for signed data (tanh
 *  states), sequential otherwise; an explicit domain or scheme wins. */
export function colorChoice(extent: [number, number], scheme?: string, domain?: [number, number]): { scheme: string; domain: [number, number]; diverging: boolean } {
  const [lo, hi] = domain ?? extent;
  if (lo < 0 && hi > 0) {
    const m = Math.max(-lo, hi);
    return { scheme: scheme ?? "blueorange", domain: domain ?? [-m, m], diverging: true };
  }
  return { scheme: scheme ?? "viridis", domain: [lo, hi > lo ? hi : lo + 1], diverging: false };
}

/** The vega-lite colour scale for colorChoice (vector heatmaps). */
export function colorScale(extent: [number, number], scheme?: string, domain?: [number, number]): Record<string, unknown> {
  const choice = colorChoice(extent, scheme, domain);
  if (choice.diverging) return { scheme: choice.scheme, domain: choice.domain, domainMid: 0 };
  return { scheme: choice.scheme, ...(domain ? { domain } : {}) };
}

function checkDomain(where: string, domain: unknown): void {
  if (domain === undefined) return;
  if (!Array.isArray(domain) || domain.length !== 2 || !domain.every(Number.isFinite) || !(domain[0] < domain[1])) {
    throw argError(where, "options.domain", "[min, max] with min < max", domain);
  }
}

function heatmapChart(where: string, kind: string, values: MatrixLike, options: HeatmapOptions, maxCell = 26): Chart {
  checkChartOptions(where, options);
  checkDomain(where, options.domain);
  let m = toMatrix(where, "values", values);
  if (options.transpose) m = transposeMatrix(m);
  const rows = m.length;
  const cols = m[0].length;
  const why = options.transpose ? "after transpose" : "";
  const colLabels = options.xLabels === undefined ? m[0].map((_, i) => String(i)) : expectStrings(where, "options.xLabels", options.xLabels, cols, `one per column${why ? `, ${why}` : ""}`);
  const rowLabels = options.yLabels === undefined ? m.map((_, i) => String(i)) : expectStrings(where, "options.yLabels", options.yLabels, rows, `one per row${why ? `, ${why}` : ""}`);
  const extent = finiteExtent(m.flat());
  const cw = cellSize(cols, 640, 3, maxCell);
  const ch = cellSize(rows, 360, 3, maxCell);
  const choice = colorChoice(extent, options.scheme, options.domain);
  const rasterable = choice.scheme in RASTER_SCHEMES;
  if (options.raster === true && !rasterable) {
    throw argError(where, "options.scheme", `one of ${Object.keys(RASTER_SCHEMES).map((k) => JSON.stringify(k)).join(", ")} when raster is true`, options.scheme);
  }
  const summary = `${kind}: ${rows} × ${cols}${options.transpose ? " (transposed)" : ""}, values ${fmt(extent[0])}…${fmt(extent[1])}`;
  if (options.raster ?? (rasterable && rows * cols > RASTER_THRESHOLD)) {
    const spec = rasterHeatmapSpec(m, options, rowLabels, colLabels, cw, ch, choice.scheme, choice.domain);
    return new Chart(spec, `${summary}, drawn as an image`);
  }
  const spec: Record<string, unknown> = {
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? cw * cols,
    height: options.height ?? ch * rows,
    data: { values: heatmapCells(m, rowLabels, colLabels) },
    mark: { type: "rect", tooltip: true },
    encoding: {
      x: { field: "col", type: "ordinal", title: options.xTitle ?? null, axis: { ...indexLabelAxis(colLabels, labelsThatFit(cw * cols)), labelAngle: cols > 12 ? -60 : 0 } },
      y: { field: "row", type: "ordinal", title: options.yTitle ?? null, axis: indexLabelAxis(rowLabels, labelsThatFit(ch * rows)) },
      color: { field: "value", type: "quantitative", title: options.valueTitle ?? "value", scale: colorScale(extent, options.scheme, options.domain) },
      tooltip: [
        { field: "rowLabel", title: options.yTitle ?? "row" },
        { field: "colLabel", title: options.xTitle ?? "column" },
        { field: "value", type: "quantitative", format: ".3~g" },
      ],
    },
    config: { view: { strokeWidth: 0 }, axis: { domain: false, ticks: false } },
  };
  return new Chart(spec, summary);
}

/** One image mark for the cells; invisible index marks give the axes, two values the legend. */
function rasterHeatmapSpec(m: number[][], options: HeatmapOptions, rowLabels: string[], colLabels: string[], cw: number, ch: number, scheme: string, domain: [number, number]): Record<string, unknown> {
  const rows = m.length;
  const cols = m[0].length;
  const band = { type: "band", paddingInner: 0, paddingOuter: 0 };
  return {
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? cw * cols,
    height: options.height ?? ch * rows,
    layer: [
      {
        data: { values: [{}] },
        mark: { type: "image", aspect: false, align: "left", baseline: "top", width: options.width ?? cw * cols, height: options.height ?? ch * rows },
        encoding: { url: { value: matrixToPngDataUrl(m, cw, ch, scheme, domain) }, x: { value: 0 }, y: { value: 0 } },
      },
      {
        data: { values: colLabels.map((_, col) => ({ col })) },
        mark: { type: "rect", opacity: 0 },
        encoding: { x: { field: "col", type: "ordinal", scale: band, title: options.xTitle ?? null, axis: { ...indexLabelAxis(colLabels, labelsThatFit(cw * cols)), labelAngle: cols > 12 ? -60 : 0 } } },
      },
      {
        data: { values: rowLabels.map((_, row) => ({ row })) },
        mark: { type: "rect", opacity: 0 },
        encoding: { y: { field: "row", type: "ordinal", scale: band, title: options.yTitle ?? null, axis: indexLabelAxis(rowLabels, labelsThatFit(ch * rows)) } },
      },
      {
        data: { values: domain.map((value) => ({ value })) },
        mark: { type: "rect", opacity: 0 },
        encoding: { color: { field: "value", type: "quantitative", title: options.valueTitle ?? "value", scale: rasterColorScale(scheme, domain) } },
      },
    ],
    config: { view: { strokeWidth: 0 }, axis: { domain: false, ticks: false } },
  };
}

/** A matrix as a heatmap: rows on y, columns on x. */
export function heatmap(values: MatrixLike, options: HeatmapOptions = {}): Chart {
  return heatmapChart("plot.heatmap", "Heatmap", values, options);
}

export interface AttentionOptions extends ChartOptions {
  /** Tokens doing the attending: one per row of the weights. */
  queryTokens?: string[];
  /** Tokens attended to: one per column. Defaults to queryTokens for self-attention. */
  keyTokens?: string[];
  scheme?: string;
}

/** An attention matrix (rows = queries, columns = keys; each row usually sums to 1). */
export function attention(weights: MatrixLike, options: AttentionOptions = {}): Chart {
  const where = "plot.attention";
  const m = toMatrix(where, "weights", weights);
  const keyTokens = options.keyTokens ?? options.queryTokens;
  // Checked here so the error names the argument the caller actually passed.
  if (options.queryTokens !== undefined) expectStrings(where, "options.queryTokens", options.queryTokens, m.length, "one per row of weights");
  if (options.keyTokens !== undefined) expectStrings(where, "options.keyTokens", options.keyTokens, m[0].length, "one per column of weights");
  else if (keyTokens !== undefined) expectStrings(where, "options.queryTokens", keyTokens, m[0].length, "also used as keys: one per column of weights");
  return heatmapChart(where, "Attention", m, {
    title: options.title,
    width: options.width,
    height: options.height,
    xLabels: keyTokens,
    yLabels: options.queryTokens,
    xTitle: "attended to (key)",
    yTitle: "attending (query)",
    valueTitle: "weight",
    scheme: options.scheme ?? "greys",
    domain: [0, 1],
  }, 40);
}
