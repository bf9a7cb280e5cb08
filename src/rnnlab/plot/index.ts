/**
 * rnnlab's plots, exported from the library as the `plot` namespace:
 *
 *   import { plot } from "rnnlab";
 *   plot.line({ train, val }, { yScale: "log", xTitle: "step", yTitle: "loss" })
 *
 * Charts are one output with three mime types (vega-lite, SVG rendered with vega, a text line);
 * vega is loaded on first render, so importing rnnlab stays fast.
 */
export { Chart, HtmlView, VEGALITE_MIME, VEGALITE_SCHEMA, type VegaLiteSpec } from "./chart";
export { loadVega, renderSvg, vegaLoaded } from "./vega-render";
export { PlotArgumentError, type MatrixLike, type VectorLike } from "./numeric-input";
export { type ChartOptions } from "./spec-parts";
export { line, type LineOptions, type NamedSeries, type ScaleType, type SeriesInput } from "./line";
export { heatmap, attention, RASTER_THRESHOLD, type HeatmapOptions, type AttentionOptions } from "./heatmap";
export { bar, type BarOptions } from "./bar";
export { scatter, type ScatterOptions } from "./scatter";
export { table, type TableOptions } from "./table";
export { textHeat, topK, type Guess, type TextHeatOptions, type TopKOptions } from "./text-heat";
export { hiddenStateExplorer, EXPLORER_SELECTION, type ExplorerData, type ExplorerRun } from "./explorer";
export { explorerExample, explorerExampleData, type ExplorerExampleData } from "./explorer-example";
export { liveChart, LiveChart, type LiveChartOptions } from "./live-chart";
export { progress, track, ProgressBar, type ProgressOptions, type Postfix } from "./progress";
export { type Clock, systemClock } from "./throttle";
export { trajectory3d, type Trajectory3dOptions, type TrajectoryInput } from "./trajectory-3d";
export { resetPlotlyInlining, type InlinePolicy } from "./plotly-bundle";
