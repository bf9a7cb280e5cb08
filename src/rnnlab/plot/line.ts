/**
 * Line charts: `plot.line(losses)`, `plot.line({ train, val }, { yScale: "log", xTitle: "step" })`.
 *
 * Series can be one vector, a record name → vector, an array of `{ name, y, x? }`, or a matrix
 * whose ROWS are series (JS-natural `[train, val]`; for a T×H tensor of hidden states pass its
 * transpose, as `plt.plot(Y)` would plot columns).
 */
import { Chart } from "./chart";
import { type ChartOptions, checkChartOptions, frame, uniqueNames } from "./spec-parts";
import {
  PlotArgumentError,
  type VectorLike,
  argError,
  expectOneOf,
  fmt,
  toVector,
} from "./numeric-input";

export type ScaleType = "linear" | "log" | "symlog";
const SCALES: readonly ScaleType[] = ["linear", "log", "symlog"];

export interface NamedSeries {
  name: string;
  y: VectorLike;
  /** x values (default 0, 1, 2, …); must have the same length as y. */
  x?: VectorLike;
}

export type SeriesInput = VectorLike | readonly VectorLike[] | Record<string, VectorLike> | readonly NamedSeries[];

export interface LineOptions extends ChartOptions {
  /** x values shared by all series that do not bring their own (default 0, 1, 2, …). */
  x?: VectorLike;
  xTitle?: string;
  yTitle?: string;
  /** "log" for losses and perplexities; non-positive values cannot be drawn there and are reported. */
  yScale?: ScaleType;
  xScale?: ScaleType;
  /** Draw a dot at each point (default: only when a series has ≤ 50 points). */
  points?: boolean;
  /** Series longer than this are averaged into this many buckets (default 2000) to keep SVG small. */
  maxPoints?: number;
}

export interface Series {
  name: string;
  x: number[];
  y: number[];
}

const WHERE = "plot.line";

function isNamedSeriesArray(v: unknown): v is readonly NamedSeries[] {
  return Array.isArray(v) && v.length > 0 && v.every((s) => s !== null && typeof s === "object" && "y" in s && "name" in s);
}

function isPlainRecord(v: unknown): v is Record<string, VectorLike> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v) && typeof (v as { arraySync?: unknown }).arraySync !== "function";
}

function isMatrixLike(v: unknown): boolean {
  if (typeof (v as { arraySync?: unknown })?.arraySync === "function") {
    const shape = (v as { shape?: number[] }).shape;
    return Array.isArray(shape) && shape.length === 2 && shape[0] > 1 && shape[1] > 1;
  }
  return Array.isArray(v) && v.length > 0 && v.every((r) => Array.isArray(r) || ArrayBuffer.isView(r));
}

/** Normalises every accepted input shape into named series with explicit x. */
export function toSeries(where: string, y: unknown, sharedX?: VectorLike): Series[] {
  const xs = sharedX === undefined ? undefined : toVector(where, "options.x", sharedX);
  const make = (name: string, yv: unknown, xv: unknown, arg: string): Series => {
    const yy = toVector(where, arg, yv);
    const xx = xv === undefined ? xs ?? yy.map((_, i) => i) : toVector(where, `${arg}.x`, xv);
    if (xx.length !== yy.length) {
      throw new PlotArgumentError(`${where}: ${arg}: expected x and y of the same length, got x of length ${xx.length} and y of length ${yy.length}.`);
    }
    return { name, x: xx, y: yy };
  };
  let series: Series[];
  if (isNamedSeriesArray(y)) {
    series = y.map((s, i) => {
      if (typeof s.name !== "string") throw argError(where, `series[${i}].name`, "a string", s.name);
      return make(s.name, s.y, s.x, `series[${i}].y`);
    });
  } else if (isMatrixLike(y)) {
    const raw = typeof (y as { arraySync?: unknown }).arraySync === "function" ? ((y as { arraySync(): unknown }).arraySync() as unknown[]) : (y as unknown[]);
    series = raw.map((row, i) => make(`series ${i}`, row, undefined, `y[${i}]`));
  } else if (isPlainRecord(y)) {
    const names = Object.keys(y);
    if (names.length === 0) throw argError(where, "y", "at least one series", y);
    series = names.map((n) => make(n, y[n], undefined, `y.${n}`));
  } else {
    series = [make("y", y, undefined, "y")];
  }
  if (series.length === 0) throw argError(where, "y", "at least one series", y);
  uniqueNames(where, "series names", series.map((s) => s.name));
  return series;
}

/** Averages a long series into `max` buckets: keeps the trend of a noisy loss curve. */
export function downsample(s: Series, max: number): Series {
  if (s.y.length <= max) return s;
  const x: number[] = [];
  const y: number[] = [];
  const per = s.y.length / max;
  for (let b = 0; b < max; b++) {
    const lo = Math.floor(b * per);
    const hi = Math.max(lo + 1, Math.floor((b + 1) * per));
    let sum = 0;
    let n = 0;
    for (let i = lo; i < hi; i++) if (Number.isFinite(s.y[i])) (sum += s.y[i]), n++;
    x.push(s.x[hi - 1]);
    y.push(n ? sum / n : NaN);
  }
  return { name: s.name, x, y };
}

/** Builds the spec for already-normalised series; shared with the live training chart. */
export function lineChartFromSeries(series: Series[], options: LineOptions = {}, kind = "LineChart", where = WHERE): Chart {
  const yScale = expectOneOf(where, "options.yScale", options.yScale ?? "linear", SCALES);
  const xScale = expectOneOf(where, "options.xScale", options.xScale ?? "linear", SCALES);
  const maxPoints = options.maxPoints ?? 2000;
  const longest = Math.max(0, ...series.map((s) => s.y.length));
  const shown = series.map((s) => downsample(s, maxPoints));
  const values: { series: string; x: number; y: number | null }[] = [];
  let hiddenOnLog = 0;
  for (const s of shown) {
    for (let i = 0; i < s.y.length; i++) {
      let y: number | null = Number.isFinite(s.y[i]) ? s.y[i] : null;
      if (y !== null && yScale === "log" && y <= 0) (hiddenOnLog++, (y = null));
      values.push({ series: s.name, x: s.x[i], y });
    }
  }
  const points = options.points ?? longest <= 50;
  const spec: Record<string, unknown> = {
    ...frame(options, 480, 260),
    data: { values },
    mark: { type: "line", point: points, tooltip: true, clip: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: options.xTitle ?? "step", scale: { type: xScale, ...(xScale === "linear" ? { zero: false, nice: false } : {}) } },
      y: { field: "y", type: "quantitative", title: options.yTitle ?? (series.length === 1 ? series[0].name : "value"), scale: { type: yScale, ...(yScale === "linear" ? { zero: false } : {}) } },
      color: { field: "series", type: "nominal", title: null, sort: series.map((s) => s.name), legend: series.length > 1 ? {} : null },
    },
  };
  const parts = [`${kind}: ${series.length} series × ${longest} points`];
  if (shown.some((s, i) => s.y.length < series[i].y.length)) parts.push(`averaged to ${maxPoints}`);
  if (yScale !== "linear") parts.push(`y ${yScale} scale`);
  if (xScale !== "linear") parts.push(`x ${xScale} scale`);
  if (hiddenOnLog) parts.push(`${hiddenOnLog} non-positive values not drawn`);
  const last = series.map((s) => `${s.name} ${fmt(s.y[s.y.length - 1])}`).join(", ");
  return new Chart(spec, `${parts.join(", ")}${longest ? `; last: ${last}` : ""}`);
}

/** A line chart of one or several series. */
export function line(y: SeriesInput, options: LineOptions = {}): Chart {
  checkChartOptions(WHERE, options);
  if (options.maxPoints !== undefined && !(Number.isInteger(options.maxPoints) && options.maxPoints >= 2)) {
    throw argError(WHERE, "options.maxPoints", "an integer ≥ 2", options.maxPoints);
  }
  return lineChartFromSeries(toSeries(WHERE, y, options.x), options);
}
