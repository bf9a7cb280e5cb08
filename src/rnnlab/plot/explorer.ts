/**
 * Hidden-state explorer: a sentence fed through a recurrent cell, one heatmap column per token
 * (units × tokens), and a bar view of the state vector at the token you click.
 *
 *   plot.hiddenStateExplorer({ tokens, states })          // states: T×H, one row per token
 *   plot.hiddenStateExplorer({ tokens, runs: [{ name: "RNN", states: a }, { name: "LSTM", states: b }] })
 *
 * With several runs (cells fed the same tokens) the rows share ONE selection, so a click on any
 * heatmap shows that step's vector for every cell side by side. The selection is a vega-lite
 * point selection on the `step` field; the static SVG shows the initially selected step (default:
 * the last token, i.e. what the cell still remembers at the end of the sentence).
 */
import { Chart } from "./chart";
import { RASTER_THRESHOLD } from "./heatmap";
import { matrixToPngDataUrl, rasterColorScale } from "./raster";
import { cellSize, compactNumber, indexLabelAxis, labelsThatFit } from "./spec-parts";
import { type MatrixLike, PlotArgumentError, argError, expectStrings, finiteExtent, fmt, toMatrix } from "./numeric-input";

export interface ExplorerRun {
  /** Shown as the row title, e.g. "vanilla RNN". */
  name?: string;
  /** T×H: row t is the hidden state after reading tokens[t]. */
  states: MatrixLike;
}

export interface ExplorerData {
  /** The tokens fed to the cell, or a string for character-level input. */
  tokens: string[] | string;
  /** T×H hidden states (one run). Give either `states` or `runs`. */
  states?: MatrixLike;
  /** Several cells fed the same tokens, shown one above the other with a shared selection. */
  runs?: ExplorerRun[];
  title?: string;
  /** Names for the H units (default 0 … H-1). */
  unitLabels?: string[];
  /** The step selected before any click (default: the last token). */
  initialStep?: number;
  /** Draw the heatmaps as images (default: above RASTER_THRESHOLD cells per run). */
  raster?: boolean;
}

/** Name of the selection parameter in the spec (tests and notebook code may look for it). */
export const EXPLORER_SELECTION = "pickedStep";

const WHERE = "plot.hiddenStateExplorer";

interface Row {
  r: number;
  step: number;
  v: (number | null)[];
}

interface ViewContext {
  tokens: string[];
  hidden: number;
  heatWidth: number;
  heatHeight: number;
  cw: number;
  ch: number;
  tokenAxis: Record<string, unknown>;
  unitAxis: Record<string, unknown>;
  lookupToken: Record<string, unknown>;
  lookupUnit: Record<string, unknown>;
  unfold: Record<string, unknown>[];
  domain: [number, number];
}

const heatName = (i: number) => `heat_${i}`;

/** Outline around the picked column, so you can see which token the bars describe. */
function pickedOutline(data?: object): Record<string, unknown> {
  return {
    ...(data ? { data } : {}),
    transform: [{ filter: { param: EXPLORER_SELECTION, empty: false } }, ...(data ? [] : [{ aggregate: [{ op: "count", as: "n" }], groupby: ["step"] }])],
    mark: { type: "rect", fill: null, stroke: "#222", strokeWidth: 2 },
    encoding: { x: { field: "step", type: "ordinal" } },
  };
}

/** Small heatmaps: one rect per (unit, step) with a tooltip; clicking a rect picks its step. */
function vectorHeat(i: number, r: { name: string }, c: ViewContext): Record<string, unknown> {
  return {
    width: c.heatWidth,
    height: c.heatHeight,
    title: r.name ? { text: r.name, anchor: "start" } : undefined,
    transform: [{ filter: { field: "r", equal: i } }],
    layer: [
      {
        name: heatName(i),
        transform: [...c.unfold, c.lookupToken, c.lookupUnit],
        mark: { type: "rect", tooltip: true, cursor: "pointer" },
        encoding: {
          x: { field: "step", type: "ordinal", axis: c.tokenAxis },
          y: { field: "unit", type: "ordinal", axis: c.unitAxis },
          color: { field: "value", type: "quantitative", title: "activation", scale: { scheme: "blueorange", domain: c.domain, domainMid: 0 } },
          tooltip: [
            { field: "token", title: "token" },
            { field: "step", title: "step" },
            { field: "unitLabel", title: "unit" },
            { field: "value", type: "quantitative", format: ".3f" },
          ],
        },
      },
      pickedOutline(),
    ],
  };
}

/**
 * Large heatmaps (long sentences, wide cells): the cells are one PNG; a transparent column per
 * step on top takes the clicks (and shows the token on hover), so the selection still works.
 */
function rasterHeat(i: number, r: { name: string; m: number[][] }, c: ViewContext): Record<string, unknown> {
  const band = { type: "band", paddingInner: 0, paddingOuter: 0 };
  const steps = { values: c.tokens.map((_, step) => ({ step })) };
  const unitsByStep = r.m[0].map((_, u) => r.m.map((state) => state[u])); // H×T: units are rows
  return {
    width: c.heatWidth,
    height: c.heatHeight,
    title: r.name ? { text: r.name, anchor: "start" } : undefined,
    layer: [
      {
        data: { values: [{}] },
        mark: { type: "image", aspect: false, align: "left", baseline: "top", width: c.heatWidth, height: c.heatHeight },
        encoding: { url: { value: matrixToPngDataUrl(unitsByStep, c.cw, c.ch, "blueorange", c.domain) }, x: { value: 0 }, y: { value: 0 } },
      },
      {
        data: { values: unitsByStep.map((_, unit) => ({ unit })) },
        mark: { type: "rect", opacity: 0 },
        encoding: { y: { field: "unit", type: "ordinal", scale: band, axis: c.unitAxis } },
      },
      {
        data: { values: c.domain.map((value) => ({ value })) },
        mark: { type: "rect", opacity: 0 },
        encoding: { color: { field: "value", type: "quantitative", title: "activation", scale: rasterColorScale("blueorange", c.domain) } },
      },
      {
        name: heatName(i),
        data: steps,
        transform: [c.lookupToken],
        mark: { type: "rect", opacity: 0, cursor: "pointer", tooltip: true },
        encoding: { x: { field: "step", type: "ordinal", scale: band, axis: c.tokenAxis }, tooltip: [{ field: "token" }, { field: "step" }] },
      },
      pickedOutline(steps),
    ],
  };
}

export function hiddenStateExplorer(data: ExplorerData): Chart {
  if (data === null || typeof data !== "object") throw argError(WHERE, "data", "{ tokens, states } or { tokens, runs }", data);
  // A string means its characters (char-level models).
  const tokens = typeof data.tokens === "string" ? Array.from(data.tokens as string) : expectStrings(WHERE, "data.tokens", data.tokens);
  if (tokens.length === 0) throw argError(WHERE, "data.tokens", "at least one token", data.tokens);
  if ((data.states === undefined) === (data.runs === undefined)) {
    throw new PlotArgumentError(`${WHERE}: data: expected exactly one of states (T×H) or runs ([{ name, states }]), got ${data.states === undefined ? "neither" : "both"}.`);
  }
  const runsIn: ExplorerRun[] = data.runs ?? [{ name: "", states: data.states! }];
  if (!Array.isArray(runsIn) || runsIn.length === 0) throw argError(WHERE, "data.runs", "a non-empty array of { name, states }", data.runs);
  const runs = runsIn.map((r, i) => {
    const arg = data.runs ? `data.runs[${i}].states` : "data.states";
    if (r === null || typeof r !== "object") throw argError(WHERE, `data.runs[${i}]`, "{ name, states }", r);
    const m = toMatrix(WHERE, arg, r.states);
    if (m.length !== tokens.length) {
      throw new PlotArgumentError(`${WHERE}: ${arg}: expected ${tokens.length} rows (one hidden state per token, T×H), got ${m.length} rows of length ${m[0].length}${m[0].length === tokens.length ? " (did you pass H×T? transpose it)" : ""}.`);
    }
    return { name: r.name ?? (data.runs ? `run ${i}` : ""), m };
  });
  const hidden = runs[0].m[0].length;
  runs.forEach((r, i) => {
    if (r.m[0].length !== hidden) throw new PlotArgumentError(`${WHERE}: data.runs[${i}].states: expected H = ${hidden} units like runs[0], got ${r.m[0].length}.`);
  });
  const unitLabels = data.unitLabels === undefined ? Array.from({ length: hidden }, (_, u) => String(u)) : expectStrings(WHERE, "data.unitLabels", data.unitLabels, hidden, "one per hidden unit");
  const initialStep = data.initialStep ?? tokens.length - 1;
  if (!Number.isInteger(initialStep) || initialStep < 0 || initialStep >= tokens.length) {
    throw argError(WHERE, "data.initialStep", `an integer in [0, ${tokens.length - 1}]`, data.initialStep);
  }

  // One row per (run, step) holding the whole state vector `v`; views expand it to one row per
  // unit with `unfold`. Token and unit names are looked up by index. This keeps the saved spec
  // ~4× smaller than one {run, step, unit, value} object per cell.
  const values: Row[] = [];
  runs.forEach((r, ri) => r.m.forEach((state, step) => values.push({ r: ri, step, v: state.map(compactNumber) })));
  const extent = finiteExtent(runs.flatMap((r) => r.m.flat()));
  const maxAbs = Math.max(Math.abs(extent[0]), Math.abs(extent[1])) || 1;
  const cw = cellSize(tokens.length, 560, 4, 30);
  const ch = cellSize(hidden, 220, 3, 22);
  const heatWidth = cw * tokens.length;
  const heatHeight = ch * hidden;
  const tokenAxis = { ...indexLabelAxis(tokens, labelsThatFit(heatWidth)), labelAngle: -50, title: null };
  const unitAxis = { ...indexLabelAxis(unitLabels, labelsThatFit(heatHeight)), title: "unit" };
  const lookupToken = { calculate: `${JSON.stringify(tokens)}[datum.step]`, as: "token" };
  const lookupUnit = { calculate: `${JSON.stringify(unitLabels)}[datum.unit]`, as: "unitLabel" };
  const unfold = [{ calculate: `sequence(0, ${hidden})`, as: "u" }, { flatten: ["v", "u"], as: ["value", "unit"] }];
  const raster = data.raster ?? tokens.length * hidden > RASTER_THRESHOLD;
  const domain: [number, number] = [-maxAbs, maxAbs];

  const ctx: ViewContext = { tokens, hidden, heatWidth, heatHeight, cw, ch, tokenAxis, unitAxis, lookupToken, lookupUnit, unfold, domain };
  const rows = runs.map((r, i) => {
    const heat = raster ? rasterHeat(i, r, ctx) : vectorHeat(i, r, ctx);
    const bars = {
      width: 160,
      height: heatHeight,
      title: { text: r.name ? `${r.name}: state at picked token` : "state at picked token", anchor: "start", fontSize: 11 },
      transform: [{ filter: { field: "r", equal: i } }, { filter: { param: EXPLORER_SELECTION, empty: false } }, ...unfold, lookupToken, lookupUnit],
      layer: [
        {
          mark: { type: "bar", tooltip: true },
          encoding: {
            y: { field: "unit", type: "ordinal", axis: { ...unitAxis, title: null } },
            x: { field: "value", type: "quantitative", title: null, scale: { domain } },
            color: { condition: { test: "datum.value < 0", value: "#4c78a8" }, value: "#e4702a" },
            tooltip: [{ field: "token" }, { field: "unitLabel", title: "unit" }, { field: "value", type: "quantitative", format: ".3f" }],
          },
        },
        {
          // Names the picked token above the bars: "step 5 · “box”".
          transform: [{ aggregate: [{ op: "count", as: "n" }], groupby: ["step", "token"] }, { calculate: "'step ' + datum.step + ' · \u201c' + datum.token + '\u201d'", as: "label" }],
          mark: { type: "text", align: "left", baseline: "bottom", dy: -2, fontWeight: "bold" },
          encoding: { text: { field: "label" }, x: { value: 0 }, y: { value: 0 } },
        },
      ],
    };
    return { hconcat: [heat, bars], spacing: 24 };
  });

  const spec = {
    ...(data.title ? { title: { text: data.title, subtitle: "click a token (column) to see its hidden-state vector" } } : { title: { text: "", subtitle: "click a token (column) to see its hidden-state vector" } }),
    data: { values },
    params: [
      {
        name: EXPLORER_SELECTION,
        select: { type: "point", fields: ["step"], on: "click", clear: false, toggle: false },
        value: [{ step: initialStep }],
        views: runs.map((_, i) => heatName(i)),
      },
    ],
    vconcat: rows,
    spacing: 18,
    resolve: { scale: { color: "shared" } },
    config: { view: { strokeWidth: 0 }, axis: { domain: false, ticks: false } },
  };
  const names = runs.map((r) => r.name).filter(Boolean);
  const who = runs.length > 1 ? `${runs.length} runs (${names.join(", ")}) × ` : "";
  return new Chart(
    spec,
    `HiddenStateExplorer: ${who}${tokens.length} tokens × ${hidden} units, values ${fmt(extent[0])}…${fmt(extent[1])}${raster ? ", heatmaps drawn as images" : ""}; showing step ${initialStep} ${JSON.stringify(tokens[initialStep])}, click a token to pick another`,
  );
}
