/**
 * A training curve that redraws in place while the loop runs:
 *
 *   const live = plot.liveChart({ yScale: "log", yTitle: "loss" });
 *   for (let step = 0; step < 2000; step++) { …; live.push({ train: loss, val: valLoss }); }
 *   live.done();   // flush the final state (a trailing timer would too, a moment later)
 *
 * One output, replaced with update_display_data at most every `intervalMs` (default 500 ms).
 * Each update renders an SVG (tens of ms), so the interval also stretches to keep rendering under
 * a fifth of wall time. Values are shown immediately in JupyterLab/VS Code through the vega-lite
 * spec; the classic Notebook sees the SVG. Updates only reach the page when the loop yields to the
 * event loop (an `await` per step or epoch); a fully synchronous loop shows only its final state.
 * Without the rnnlab kernel (stock tslab, plain Node) outputs cannot be replaced, so only the
 * final state is drawn, at done().
 */
import { REPR, display, type DisplayHandle, type MimeBundle } from "../display";
import type { Chart } from "./chart";
import { type LineOptions, type Series, lineChartFromSeries } from "./line";
import { argError } from "./numeric-input";
import { type Clock, Throttle, canUpdateInPlace, systemClock } from "./throttle";

export interface LiveChartOptions extends Omit<LineOptions, "x"> {
  /** Minimum time between redraws in ms (default 500: two per second). */
  intervalMs?: number;
  /** Series name used when `push` is given a bare number (default "loss"). */
  name?: string;
  /** Injectable time source (tests); defaults to performance.now and setTimeout. */
  clock?: Clock;
}

const WHERE = "plot.liveChart";

export class LiveChart {
  private readonly series = new Map<string, Series>();
  private readonly throttle: Throttle;
  private readonly clock: Clock;
  private handle?: DisplayHandle;
  private pushes = 0;
  private finishing = false;
  /** How many times the output was drawn or redrawn (for tests and curiosity). */
  renders = 0;

  constructor(private readonly options: LiveChartOptions = {}) {
    const interval = options.intervalMs ?? 500;
    if (typeof interval !== "number" || !(interval >= 0)) throw argError(WHERE, "options.intervalMs", "a number of milliseconds ≥ 0", interval);
    this.clock = options.clock ?? systemClock;
    this.throttle = new Throttle(() => this.redraw(), interval, this.clock);
  }

  /**
   * Adds one point per named value at `step` (default: the number of earlier pushes).
   * `live.push(0.42)` is short for `live.push({ loss: 0.42 })`.
   */
  push(values: number | Record<string, number>, step?: number): this {
    const record = typeof values === "number" ? { [this.options.name ?? "loss"]: values } : values;
    if (record === null || typeof record !== "object" || Array.isArray(record)) {
      throw argError(`${WHERE}().push`, "values", "a number or a record like { train: 0.3, val: 0.4 }", values);
    }
    if (step !== undefined && typeof step !== "number") throw argError(`${WHERE}().push`, "step", "a number", step);
    const x = step ?? this.pushes;
    for (const [name, y] of Object.entries(record)) {
      if (typeof y !== "number") throw argError(`${WHERE}().push`, `values.${name}`, "a number", y);
      let s = this.series.get(name);
      if (!s) this.series.set(name, (s = { name, x: [], y: [] }));
      s.x.push(x);
      s.y.push(y);
    }
    this.pushes++;
    this.throttle.request();
    return this;
  }

  /** Redraws now if anything changed since the last redraw. */
  flush(): void {
    this.throttle.flush();
  }

  /** Ends the loop: draws the final state now and cancels the pending redraw. */
  done(): void {
    this.finishing = true;
    this.throttle.request();
    this.throttle.flush();
    this.throttle.cancelTimer();
    this.finishing = false;
  }

  /** The chart of everything pushed so far. */
  chart(): Chart {
    return lineChartFromSeries([...this.series.values()], this.options, "LiveChart", WHERE);
  }

  /** Current interval between redraws, after stretching for slow renders. */
  get intervalMs(): number {
    return this.throttle.effectiveIntervalMs;
  }

  /** Shown as a cell's last expression: the current state, as a normal chart. */
  [REPR](): Promise<MimeBundle> {
    return this.chart().toMimeBundle();
  }

  private redraw(): void {
    // Without a sink every update would become a new output; show only the final state then.
    if (!canUpdateInPlace() && !this.finishing) return;
    const chart = this.chart();
    this.renders++;
    const started = this.clock.now();
    // Time the SVG render (the bundle reuses this cached promise) to stretch the interval if slow.
    chart.toSVG().then(
      () => this.throttle.reportRenderTime(this.clock.now() - started),
      () => undefined,
    );
    if (this.handle) this.handle.update(chart);
    else this.handle = display(chart);
  }
}

export function liveChart(options: LiveChartOptions = {}): LiveChart {
  return new LiveChart(options);
}
