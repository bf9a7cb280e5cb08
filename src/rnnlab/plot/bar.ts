/**
 * Bar charts: `plot.bar({ a: 0.5, b: 0.3 })`, `plot.bar(probs, { labels: vocab })`,
 * `plot.bar(probs, { labels: vocab, top: 10 })` for the ten most likely next characters.
 */
import { Chart } from "./chart";
import { type ChartOptions, categoryLabelAngle, checkChartOptions, frame, indexLabelAxis } from "./spec-parts";
import { type VectorLike, argError, expectStrings, finiteExtent, fmt, toVector } from "./numeric-input";

export interface BarOptions extends ChartOptions {
  /** One label per bar (default 0, 1, 2, …). */
  labels?: string[];
  xTitle?: string;
  yTitle?: string;
  /** Bars left to right instead of bottom to top: better for long labels. */
  horizontal?: boolean;
  /** Keep only the `top` largest values, sorted (for probability distributions over a vocabulary). */
  top?: number;
  /** Bar colour (default: blue for ≥ 0, orange for < 0). */
  color?: string;
}

const WHERE = "plot.bar";

export function bar(values: VectorLike | Record<string, number>, options: BarOptions = {}): Chart {
  checkChartOptions(WHERE, options);
  let labels: string[];
  let v: number[];
  const isRecord = values !== null && typeof values === "object" && !Array.isArray(values) && !ArrayBuffer.isView(values) && typeof (values as { arraySync?: unknown }).arraySync !== "function";
  if (isRecord) {
    labels = Object.keys(values);
    v = toVector(WHERE, "values", Object.values(values));
    if (options.labels !== undefined) throw argError(WHERE, "options.labels", "no labels when values is a record (its keys are the labels)", options.labels);
  } else {
    v = toVector(WHERE, "values", values);
    labels = options.labels === undefined ? v.map((_, i) => String(i)) : expectStrings(WHERE, "options.labels", options.labels, v.length, "one per value");
  }
  if (v.length === 0) throw argError(WHERE, "values", "at least one value", values);
  let order = v.map((_, i) => i);
  if (options.top !== undefined) {
    if (!Number.isInteger(options.top) || options.top < 1) throw argError(WHERE, "options.top", "an integer ≥ 1", options.top);
    order = order.sort((a, b) => v[b] - v[a]).slice(0, options.top);
  }
  const rows = order.map((i, pos) => ({ pos, label: labels[i], value: Number.isFinite(v[i]) ? v[i] : null }));
  const shownLabels = rows.map((r) => r.label);
  const width = options.horizontal ? 360 : Math.min(640, Math.max(200, rows.length * 18));
  const angle = options.horizontal ? 0 : categoryLabelAngle(shownLabels, options.width ?? width);
  const cat = { field: "pos", type: "ordinal", title: options.xTitle ?? null, axis: { ...indexLabelAxis(shownLabels), labelAngle: angle } };
  const val = { field: "value", type: "quantitative", title: options.yTitle ?? "value" };
  const spec: Record<string, unknown> = {
    ...frame(options, width, options.horizontal ? Math.min(600, Math.max(120, rows.length * 16)) : 240),
    data: { values: rows },
    mark: { type: "bar", tooltip: true },
    encoding: {
      [options.horizontal ? "y" : "x"]: cat,
      [options.horizontal ? "x" : "y"]: val,
      color: options.color ? { value: options.color } : { condition: { test: "datum.value < 0", value: "#e4702a" }, value: "#4c78a8" },
      tooltip: [{ field: "label", title: options.xTitle ?? "label" }, { field: "value", type: "quantitative", format: ".4~g" }],
    },
  };
  const [lo, hi] = finiteExtent(v);
  const top = options.top ? `, top ${rows.length} of ${v.length}` : "";
  return new Chart(spec, `BarChart: ${rows.length} bars${top}, values ${fmt(lo)}…${fmt(hi)}; largest ${JSON.stringify(labels[v.indexOf(hi)])}`);
}
