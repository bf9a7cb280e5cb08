/**
 * Scatter plots: `plot.scatter(x, y)`, or `plot.scatter(points)` with an N×2 matrix (e.g. a PCA
 * of hidden states), optionally coloured by a value or a category and labelled per point.
 */
import { Chart } from "./chart";
import { type ChartOptions, checkChartOptions, frame } from "./spec-parts";
import { type MatrixLike, type VectorLike, PlotArgumentError, argError, expectStrings, fmt, finiteExtent, toMatrix, toVector } from "./numeric-input";

export interface ScatterOptions extends ChartOptions {
  xTitle?: string;
  yTitle?: string;
  /** Per-point colour: numbers → a colour scale, strings → categories. */
  color?: VectorLike | string[];
  colorTitle?: string;
  /** Per-point text shown in the tooltip and, for ≤ 40 points, next to the point. */
  labels?: string[];
  /** Point area in px² (default 40). */
  size?: number;
}

const WHERE = "plot.scatter";

export function scatter(xOrPoints: VectorLike | MatrixLike, yOrOptions?: VectorLike | ScatterOptions, maybeOptions?: ScatterOptions): Chart {
  let x: number[];
  let y: number[];
  let options: ScatterOptions;
  const secondIsData = Array.isArray(yOrOptions) || ArrayBuffer.isView(yOrOptions) || typeof (yOrOptions as { arraySync?: unknown })?.arraySync === "function";
  if (secondIsData) {
    x = toVector(WHERE, "x", xOrPoints);
    y = toVector(WHERE, "y", yOrOptions);
    if (x.length !== y.length) throw new PlotArgumentError(`${WHERE}: y: expected the same length as x (${x.length}), got ${y.length}.`);
    options = maybeOptions ?? {};
  } else {
    const m = toMatrix(WHERE, "points", xOrPoints);
    if (m[0].length !== 2) throw new PlotArgumentError(`${WHERE}: points: expected an N×2 matrix (or pass x and y), got N×${m[0].length}.`);
    x = m.map((r) => r[0]);
    y = m.map((r) => r[1]);
    options = (yOrOptions as ScatterOptions | undefined) ?? {};
  }
  checkChartOptions(WHERE, options);
  const n = x.length;
  if (n === 0) throw argError(WHERE, "x", "at least one point", xOrPoints);
  const labels = options.labels === undefined ? undefined : expectStrings(WHERE, "options.labels", options.labels, n, "one per point");
  let color: (number | string)[] | undefined;
  let colorType = "quantitative";
  if (options.color !== undefined) {
    if (Array.isArray(options.color) && options.color.every((c) => typeof c === "string")) {
      color = expectStrings(WHERE, "options.color", options.color, n, "one per point");
      colorType = "nominal";
    } else {
      color = toVector(WHERE, "options.color", options.color);
      if (color.length !== n) throw new PlotArgumentError(`${WHERE}: options.color: expected ${n} values (one per point), got ${color.length}.`);
    }
  }
  const values = x.map((xi, i) => ({ x: xi, y: y[i], ...(labels ? { label: labels[i] } : {}), ...(color ? { c: color[i] } : {}) }));
  const point = {
    mark: { type: "circle", size: options.size ?? 40, opacity: 0.8, tooltip: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: options.xTitle ?? "x", scale: { zero: false } },
      y: { field: "y", type: "quantitative", title: options.yTitle ?? "y", scale: { zero: false } },
      ...(color ? { color: { field: "c", type: colorType, title: options.colorTitle ?? "color" } } : {}),
    },
  };
  const layers: unknown[] = [point];
  if (labels && n <= 40) {
    layers.push({
      mark: { type: "text", align: "left", dx: 5, dy: -5, fontSize: 10 },
      encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" }, text: { field: "label" } },
    });
  }
  const spec = { ...frame(options, 400, 320), data: { values }, layer: layers };
  const [xl, xh] = finiteExtent(x);
  const [yl, yh] = finiteExtent(y);
  return new Chart(spec, `ScatterPlot: ${n} points, x ${fmt(xl)}…${fmt(xh)}, y ${fmt(yl)}…${fmt(yh)}${color ? `, coloured by ${options.colorTitle ?? "color"}` : ""}`);
}
