/** Small pieces shared by the vega-lite specs: sizes, titles, token-labelled axes. */
import { PlotArgumentError, argError, expectPositiveNumber } from "./numeric-input";

export interface ChartOptions {
  /** Title shown above the chart. */
  title?: string;
  /** Plot-area width in pixels (axes and legend come on top). */
  width?: number;
  /** Plot-area height in pixels. */
  height?: number;
}

export function checkChartOptions(where: string, options: unknown): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw argError(where, "options", "an options object", options);
  }
  const o = options as ChartOptions;
  if (o.title !== undefined && typeof o.title !== "string") throw argError(where, "options.title", "a string", o.title);
  if (o.width !== undefined) expectPositiveNumber(where, "options.width", o.width);
  if (o.height !== undefined) expectPositiveNumber(where, "options.height", o.height);
}

/** Title, width and height for a top-level or unit spec; the title is omitted when empty. */
export function frame(options: ChartOptions, width: number, height: number): Record<string, unknown> {
  const out: Record<string, unknown> = { width: options.width ?? width, height: options.height ?? height };
  if (options.title) out.title = options.title;
  return out;
}

/**
 * Axis settings that show `labels[i]` at ordinal position i. Positions stay indices, so repeated
 * tokens ("the" … "the") keep separate columns; the label text is looked up in an array literal
 * inside the axis' label expression (JSON is valid vega expression syntax). With many positions
 * only every k-th is labelled so labels do not overlap.
 */
export function indexLabelAxis(labels: readonly string[], maxLabels = 60): Record<string, unknown> {
  const axis: Record<string, unknown> = {
    labelExpr: `${JSON.stringify(labels.map(visibleLabel))}[datum.value]`,
    labelOverlap: false,
  };
  if (labels.length > maxLabels) {
    const every = Math.ceil(labels.length / maxLabels);
    axis.values = labels.map((_, i) => i).filter((i) => i % every === 0);
  }
  return axis;
}

/**
 * The angle of category labels along `pixels` of axis: level while every label fits in its
 * band (about 6 px a character at 10 px), slanted when one would run into its neighbour, the
 * more so the more labels there are.
 */
export function categoryLabelAngle(labels: readonly string[], pixels: number): number {
  const band = pixels / Math.max(1, labels.length);
  const widest = Math.max(0, ...labels.map((l) => visibleLabel(l).length)) * 6;
  if (widest <= band) return 0;
  return labels.length > 12 ? -60 : -35;
}

/** How many 10-px labels fit along `pixels` of axis without overlapping (~12 px each). */
export function labelsThatFit(pixels: number): number {
  return Math.max(2, Math.floor(pixels / 12));
}

/** Pixel size of one heatmap cell: large enough to click, small enough for long sequences. */
export function cellSize(count: number, targetTotal: number, min = 3, max = 26): number {
  return Math.max(min, Math.min(max, Math.floor(targetTotal / Math.max(1, count))));
}

/** Series names must be unique: they become legend entries and colour keys. */
export function uniqueNames(where: string, arg: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) {
      throw new PlotArgumentError(`${where}: ${arg}: expected unique series names, got ${JSON.stringify(n)} twice.`);
    }
    seen.add(n);
  }
}

/** Whitespace tokens (" ", "\n") would be invisible axis labels: show them as ␣ ↵ ⇥. */
export function visibleLabel(label: string): string {
  return /^\s+$/.test(label) ? label.replace(/ /g, "␣").replace(/\n/g, "↵").replace(/\t/g, "⇥").replace(/\r/g, "") : label;
}

/** Values stored in specs with 4 significant digits: tooltips show 3, and the JSON stays small. */
export function compactNumber(v: number): number | null {
  return Number.isFinite(v) ? Number(v.toPrecision(4)) : null;
}
